package github

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestLatestStatusIsTheNewestOfItsContext(t *testing.T) {
	const sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	const path = "/repos/octo-org/hello/statuses/" + sha
	ref := event.CommitRef{Repo: "octo-org/hello", SHA: sha}
	tests := []struct {
		context   string
		want      providers.Status
		wantFound bool
	}{
		{context: "ci/unit", wantFound: true, want: providers.Status{
			State: providers.StateSuccess, Context: "ci/unit", Description: "Job succeeded.", TargetURL: "https://ci.example.com/runs/unit-1"}},
		{context: "ci/lint", wantFound: true, want: providers.Status{
			State: providers.StateFailure, Context: "ci/lint", Description: "Job failed.", TargetURL: "https://ci.example.com/runs/lint-1"}},
		{context: "ci/e2e"},
	}
	for _, tc := range tests {
		t.Run(tc.context, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK, Body: recorded(t, "repos-statuses.json")},
			})
			got, found, err := newAPIProvider(t, api.URL).LatestStatus(t.Context(), ref, tc.context)
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.wantFound {
				t.Fatalf("found = %v, want %v", found, tc.wantFound)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("status (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatestStatusRefused(t *testing.T) {
	const sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /repos/octo-org/hello/statuses/" + sha + "?page=1&per_page=100": {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")},
	})
	_, _, err := newAPIProvider(t, api.URL).LatestStatus(t.Context(), event.CommitRef{Repo: "octo-org/hello", SHA: sha}, "ci/unit")
	if err == nil {
		t.Fatal("LatestStatus succeeded on a 404")
	}
}
