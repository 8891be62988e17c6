package gerrit

import (
	"errors"
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// FuzzParse feeds arbitrary bodies to Parse, with the skip options off and
// on: it must never panic, must return only typed errors, and must always
// name the delivery.
func FuzzParse(f *testing.F) {
	providertest.Seeds(f, providertest.Shared(f, "gerrit"), localEvents(f))
	f.Add([]byte(`{"type":"ref-updated","refUpdate":{"refName":"master","project":{"name":"a/b"},"newRev":"0000"}}`))
	f.Add([]byte(`{"type":"patchset-created","change":{"number":"1"},"patchSet":{"number":null,"kind":"TRIVIAL_REBASE"}}`))
	// A change-restored event without a patch set reads the change; the
	// fuzzed parsers' API refuses every call, so none leaves the machine.
	offline := roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("offline") })
	parsers := []*Provider{
		newTestProvider(f, Options{Transport: offline}),
		newTestProvider(f, Options{SkipTrivialRebase: true, SkipNoCodeChange: true, Transport: offline}),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range parsers {
			payload := providertest.Payload{Body: body, Header: http.Header{}}
			ev, err := p.Parse(t.Context(), payload.Request(), body)
			providertest.CheckTyped(t, err)
			if len(ev.Delivery) != 32 || ev.Provider != Kind {
				t.Fatalf("delivery %q, provider %q: want a 32-digit id and %q", ev.Delivery, ev.Provider, Kind)
			}
		}
	})
}
