package github

import (
	"net/http"

	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.Identifier = (*Provider)(nil)

// Identify returns the X-GitHub-Delivery and X-GitHub-Event headers.
func (p *Provider) Identify(r *http.Request, _ []byte) (delivery, name string) {
	return r.Header.Get("X-GitHub-Delivery"), r.Header.Get("X-GitHub-Event")
}
