package providertest

import (
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
)

// IdentifyingParser is a provider that parses deliveries and names them.
type IdentifyingParser interface {
	providers.Parser
	providers.Identifier
}

// IdentifySuite checks Identify on each payload: the name is the value of
// eventHeader, and the delivery id is the one Parse puts on the event
// whenever Parse gives one, so an answer carries the id its runs are named
// after. Without a body (a delivery refused before it was read) the id
// is the header's or "".
func IdentifySuite(t *testing.T, p IdentifyingParser, payloads []Payload, eventHeader string, deliveryHeaders ...string) {
	t.Helper()
	for _, payload := range payloads {
		t.Run(payload.Name, func(t *testing.T) {
			r := payload.Request()
			delivery, name := p.Identify(r, payload.Body)
			if want := payload.Header.Get(eventHeader); name != want {
				t.Errorf("name = %q, want %q", name, want)
			}
			if ev, err := p.Parse(t.Context(), r, payload.Body); ev.Delivery != "" && delivery != ev.Delivery {
				t.Errorf("delivery = %q, Parse gives %q (error %v)", delivery, ev.Delivery, err)
			}
			unread, _ := p.Identify(r, nil)
			if want := firstHeader(payload, deliveryHeaders); unread != want {
				t.Errorf("delivery without a body = %q, want %q", unread, want)
			}
		})
	}
}

func firstHeader(p Payload, names []string) string {
	for _, name := range names {
		if v := p.Header.Get(name); v != "" {
			return v
		}
	}
	return ""
}
