package bitbucketserver

import (
	"net/http"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

var _ providers.Identifier = (*Provider)(nil)

// Identify returns the delivery id Parse gives the event (X-Request-Id,
// or a hash of the event key and body) and the X-Event-Key header.
func (p *Provider) Identify(r *http.Request, body []byte) (delivery, name string) {
	name = r.Header.Get("X-Event-Key")
	return scmhook.Identify(r.Header, name, body, deliveryHeader), name
}
