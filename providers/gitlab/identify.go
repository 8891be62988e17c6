package gitlab

import (
	"net/http"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

var _ providers.Identifier = (*Provider)(nil)

// Identify returns the delivery id Parse gives the event (Idempotency-Key,
// X-Gitlab-Event-UUID, or a hash of the event name and body) and the
// X-Gitlab-Event header.
func (p *Provider) Identify(r *http.Request, body []byte) (delivery, name string) {
	name = r.Header.Get("X-Gitlab-Event")
	return scmhook.Identify(r.Header, name, body, deliveryHeaders...), name
}
