package gerrit

import (
	"encoding/json"
	"net/http"

	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.Identifier = (*Provider)(nil)

// Identify returns the id Parse derives from the body and the event's
// type as the body names it (patchset-created); both are "" when there is
// no body, and the type is "" when the body does not say it.
func (p *Provider) Identify(_ *http.Request, body []byte) (delivery, name string) {
	if len(body) == 0 {
		return "", ""
	}
	var m struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(body, &m) != nil {
		m.Type = ""
	}
	return deliveryID(body), m.Type
}
