package bitbucketcloud

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// FuzzParse feeds arbitrary bodies under every handled event key: Parse
// must never panic and must return only typed errors.
func FuzzParse(f *testing.F) {
	providertest.Seeds(f, payloads(f))
	p := newTestProvider(f, "")
	f.Fuzz(func(t *testing.T, body []byte) {
		for key := range handledEvents {
			payload := providertest.Payload{Body: body, Header: http.Header{
				"X-Event-Key":    {key},
				"X-Request-Uuid": {"fuzz"},
			}}
			_, err := p.Parse(t.Context(), payload.Request(), body)
			providertest.CheckTyped(t, err)
		}
	})
}
