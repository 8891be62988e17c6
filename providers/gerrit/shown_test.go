package gerrit

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestVerdictShown(t *testing.T) {
	const path = "GET /a/changes/platform%2Ftools~30623?o=MESSAGES&o=ALL_REVISIONS"
	const ps2, ps3 = "3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a0f9e", "7d1c9e2b4a6f8d0c2e4a6b8d0f1e3c5a7b9d1f30"
	job := func(context string, state providers.State, desc, link string) providers.Status {
		return providers.Status{Context: context, State: state, Description: desc, TargetURL: link}
	}
	unit2 := job("unit", providers.StateSuccess, "Job succeeded.", "https://ci.example.com/runs/unit-2")
	lint3 := job("lint", providers.StateFailure, "Job failed.", "https://ci.example.com/runs/lint-3")
	unit3 := job("unit", providers.StateSuccess, "Job succeeded.", "https://ci.example.com/runs/unit-3")
	lint4 := job("lint", providers.StateSuccess, "Job succeeded.", "https://ci.example.com/runs/lint-4")
	tests := []struct {
		name string
		sha  string
		v    providers.Verdict
		want bool
	}{
		{"the last verdict on the patch set", ps3, providers.Verdict{State: providers.StateFailure, Jobs: []providers.Status{lint3, unit3}}, true},
		{"a rerun's verdict not sent yet", ps3, providers.Verdict{State: providers.StateSuccess, Jobs: []providers.Status{lint4, unit3}}, false},
		{"an earlier patch set's", ps2, providers.Verdict{State: providers.StateSuccess, Jobs: []providers.Status{unit2}}, true},
		{"the earlier patch set's verdict on the newer one", ps3, providers.Verdict{State: providers.StateSuccess, Jobs: []providers.Status{unit2}}, false},
		{"a revision the change lacks", "0000000000000000000000000000000000000001", providers.Verdict{State: providers.StateSuccess, Jobs: []providers.Status{unit2}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{path: {Status: http.StatusOK, Body: recorded(t, "changes-messages.json")}})
			p := newTestProvider(t, Options{URL: api.URL, CloneURL: testURL, Username: "fresnel", Token: "http-password"})
			got, err := p.VerdictShown(t.Context(), event.CommitRef{Repo: "platform/tools", Number: 30623, SHA: tc.sha}, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("VerdictShown = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerdictShownRefused(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /a/changes/platform%2Ftools~30623?o=MESSAGES&o=ALL_REVISIONS": {Status: http.StatusServiceUnavailable, Body: "Service Unavailable\n"},
	})
	p := newTestProvider(t, Options{URL: api.URL, CloneURL: testURL, Username: "fresnel", Token: "http-password"})
	_, err := p.VerdictShown(t.Context(), event.CommitRef{Repo: "platform/tools", Number: 30623, SHA: "7d1c9e2b4a6f8d0c2e4a6b8d0f1e3c5a7b9d1f30"}, providers.Verdict{})
	if err == nil {
		t.Fatal("VerdictShown succeeded on a 503")
	}
}
