package gerrit

import (
	"net/http"
	"testing"
)

func TestIdentify(t *testing.T) {
	const created = `{"type":"patchset-created","change":{"project":"a/b","branch":"main","number":1},"patchSet":{"number":1,"revision":"abc"}}`
	tests := map[string]struct {
		body     string
		wantName string
	}{
		"patchset created":     {body: created, wantName: "patchset-created"},
		"unknown type":         {body: `{"type":"project-created"}`, wantName: "project-created"},
		"no type":              {body: `{}`},
		"not a JSON object":    {body: `[1]`},
		"type of another kind": {body: `{"type":1}`},
	}
	p := newTestProvider(t, Options{})
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "/", nil)
			delivery, got := p.Identify(r, []byte(tc.body))
			if got != tc.wantName {
				t.Errorf("name = %q, want %q", got, tc.wantName)
			}
			ev, _ := p.Parse(t.Context(), r, []byte(tc.body))
			if delivery != ev.Delivery {
				t.Errorf("delivery = %q, Parse gives %q", delivery, ev.Delivery)
			}
		})
	}
	if delivery, name := p.Identify(&http.Request{Header: http.Header{}}, nil); delivery != "" || name != "" {
		t.Errorf("without a body: %q, %q; want nothing", delivery, name)
	}
}
