package github

import (
	"context"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func TestEventRequestParses(t *testing.T) {
	p, err := New(Options{URL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"ref":"refs/heads/main","after":"1f2e3d4c5b6a79880716253443526170f8e9d0c1",
		"repository":{"name":"prism","full_name":"lumen-labs/prism","owner":{"login":"lumen-labs"}},
		"sender":{"login":"ada"}}`)
	r, err := p.EventRequest("push", body)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Parse(context.Background(), r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if ev.Kind != event.KindPush || ev.Repo.FullName != "lumen-labs/prism" || ev.BaseRef != "main" {
		t.Errorf("event = %+v", ev)
	}
	again, _ := p.EventRequest("push", body)
	if d := again.Header.Get("X-GitHub-Delivery"); d != ev.Delivery || !strings.HasPrefix(d, "sha256:") {
		t.Errorf("delivery ids %q and %q, want the same sha256: id for the same payload", ev.Delivery, d)
	}
}
