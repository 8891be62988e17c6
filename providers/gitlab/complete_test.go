package gitlab

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestCompletePullRequestStateAndMergeability(t *testing.T) {
	const path = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7"
	tests := []struct {
		name, state, mergeStatus string
		detailed                 string
		closed, unmergeable      bool
	}{
		{name: "open and mergeable", state: "opened", mergeStatus: "can_be_merged"},
		{name: "open, mergeability not checked yet", state: "opened", mergeStatus: "unchecked"},
		{name: "open with conflicts", state: "opened", mergeStatus: "cannot_be_merged", unmergeable: true},
		{name: "conflict in the detailed status", state: "opened", mergeStatus: "checking", detailed: "conflict", unmergeable: true},
		{name: "detailed status other than a conflict", state: "opened", mergeStatus: "can_be_merged", detailed: "ci_must_pass"},
		{name: "checking again after a conflict", state: "opened", mergeStatus: "cannot_be_merged", detailed: "checking"},
		{name: "closed", state: "closed", mergeStatus: "can_be_merged", closed: true},
		{name: "merged", state: "merged", mergeStatus: "can_be_merged", closed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + path: {Status: http.StatusOK, Body: `{"iid":7,"title":"Add x","state":"` + tc.state + `","sha":"` + headSHA + `",
					"merge_status":"` + tc.mergeStatus + `","detailed_merge_status":"` + tc.detailed + `","source_branch":"feature","target_branch":"main","author":{"username":"alice"},
					"source_project_id":2,"target_project_id":1}`},
			})
			in := event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: nestedRepo}, Number: 7}
			got, err := newTestProvider(t, api.URL).CompletePullRequest(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Closed != tc.closed || got.Unmergeable != tc.unmergeable {
				t.Errorf("closed %v unmergeable %v, want %v %v", got.Closed, got.Unmergeable, tc.closed, tc.unmergeable)
			}
		})
	}
}
