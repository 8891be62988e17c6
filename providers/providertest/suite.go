package providertest

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
)

// GoldenSuite parses each payload in a subtest named after it and compares
// the outcome with its golden file.
func GoldenSuite(t *testing.T, parser providers.Parser, payloads []Payload) {
	t.Helper()
	for _, p := range payloads {
		t.Run(p.Name, func(t *testing.T) {
			Golden(t, p.Name, Parse(t, parser, p))
		})
	}
}

// ParseErrorCase is a delivery Parse must give no event for: Body, sent as
// Event (no event header when empty), ends with Status and, when Err is
// set, exactly that error.
type ParseErrorCase struct {
	Name, Event, Body string
	Status            int
	Err               string
}

// ParseErrors runs each case in a subtest, the event in eventHeader.
func ParseErrors(t *testing.T, parser providers.Parser, eventHeader string, cases []ParseErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := Payload{Body: []byte(tc.Body), Header: http.Header{}}
			if tc.Event != "" {
				p.Header.Set(eventHeader, tc.Event)
			}
			out := Parse(t, parser, p)
			if out.Status != tc.Status || out.Event != nil {
				t.Fatalf("Parse() = %+v, want status %d and no event", out, tc.Status)
			}
			if tc.Err != "" && out.Error != tc.Err {
				t.Fatalf("error = %q, want %q", out.Error, tc.Err)
			}
		})
	}
}

// VerifyCase is a delivery with Header set that Verify must accept, or
// refuse when WantErr is set.
type VerifyCase struct {
	Name    string
	Header  map[string]string
	WantErr bool
}

// VerifyTable verifies body with each case's headers in a subtest.
func VerifyTable(t *testing.T, v providers.Verifier, body []byte, cases []VerifyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := Payload{Body: body, Header: http.Header{}}
			for k, val := range tc.Header {
				p.Header.Set(k, val)
			}
			CheckVerified(t, v.Verify(t.Context(), p.Request(), body), tc.WantErr)
		})
	}
}

// CheckVerified fails t unless err, from Verify, is nil when wantErr is
// false, and an error mapped to 401 when it is true.
func CheckVerified(t testing.TB, err error, wantErr bool) {
	t.Helper()
	if (err != nil) != wantErr {
		t.Fatalf("Verify() error = %v, want error %v", err, wantErr)
	}
	if err != nil && providers.HTTPStatus(err) != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", providers.HTTPStatus(err))
	}
}

// malformedShapes seed every fuzz test with bodies of the wrong shape,
// which once made parsers panic or echo Go type names.
var malformedShapes = []string{
	`null`, `{}`, `[]`, `"x"`, `1`,
	`{"repository":5,"user":"x","pull_request":[],"object_attributes":{"source":null}}`,
	`{"pullrequest":{"created_on":""},"actor":{},"comment":{},"repository":{}}`,
	`{"eventKey":"pr:opened","actor":{},"pullRequest":{"fromRef":{},"toRef":{},"id":"1"}}`,
}

// FuzzEvents fuzzes Parse with each body sent as every one of events, the
// event in eventHeader and a fixed delivery id in deliveryHeader: Parse
// must never panic and must return only typed errors.
func FuzzEvents(f *testing.F, parser providers.Parser, events map[string]bool, eventHeader, deliveryHeader string) {
	for _, shape := range malformedShapes {
		f.Add([]byte(shape))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for event := range events {
			p := Payload{Body: body, Header: http.Header{}}
			p.Header.Set(eventHeader, event)
			p.Header.Set(deliveryHeader, "fuzz")
			_, err := parser.Parse(t.Context(), p.Request(), body)
			CheckTyped(t, err)
		}
	})
}
