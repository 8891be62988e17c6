package github

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestIsTeamMember(t *testing.T) {
	const path = "/orgs/octo-org/teams/core-reviewers/memberships/octocat"
	tests := []struct {
		name     string
		reply    providertest.Reply
		want     bool
		wantErr  bool
		requests int
	}{
		{name: "an active member", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "team-membership-active.json")}, want: true, requests: 1},
		{name: "a pending invitation is not membership", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "team-membership-pending.json")}, requests: 1},
		{name: "not in the team", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, requests: 1},
		{name: "bad credentials are an error", reply: providertest.Reply{Status: http.StatusUnauthorized, Body: recorded(t, "bad-credentials.json")}, wantErr: true, requests: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newAPIProvider(t, api.URL).IsTeamMember(t.Context(), "octo-org", "core-reviewers", "octocat")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %t", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("member = %v, want %v", got, tc.want)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}
