package github

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestAssign(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/7/assignees"
	tests := []struct {
		name    string
		users   []string
		wantErr string
	}{
		{name: "assigned", users: []string{"hubot"}},
		{name: "one left out by GitHub", users: []string{"hubot", "stranger"}, wantErr: "did not assign stranger"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + path: {Status: http.StatusCreated, Body: recorded(t, "issues-assignees-add.json")}})
			err := newAPIProvider(t, api.URL).Assign(t.Context(), testPR, tc.users)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Assign() error = %v, want %q", err, tc.wantErr)
			}
			if got := api.Only(t, http.MethodPost, path).JSON(t)["assignees"]; len(got.([]any)) != len(tc.users) {
				t.Errorf("assignees sent = %v, want %v", got, tc.users)
			}
		})
	}
}

func TestUnassignAndReviewRequests(t *testing.T) {
	tests := []struct {
		name    string
		call    func(p *Provider) error
		method  string
		path    string
		reply   providertest.Reply
		field   string
		wantErr bool
	}{
		{name: "unassign", call: func(p *Provider) error { return p.Unassign(t.Context(), testPR, []string{"hubot"}) },
			method: http.MethodDelete, path: "/repos/octo-org/hello/issues/7/assignees", field: "assignees",
			reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "issues-assignees-add.json")}},
		{name: "request review", call: func(p *Provider) error { return p.RequestReview(t.Context(), testPR, []string{"hubot"}) },
			method: http.MethodPost, path: "/repos/octo-org/hello/pulls/7/requested_reviewers", field: "reviewers",
			reply: providertest.Reply{Status: http.StatusCreated, Body: `{"number":7}`}},
		{name: "request review of a stranger", call: func(p *Provider) error { return p.RequestReview(t.Context(), testPR, []string{"hubot"}) },
			method: http.MethodPost, path: "/repos/octo-org/hello/pulls/7/requested_reviewers", field: "reviewers",
			reply: providertest.Reply{Status: http.StatusUnprocessableEntity, Body: recorded(t, "requested-reviewers-invalid.json")}, wantErr: true},
		{name: "withdraw review request", call: func(p *Provider) error { return p.UnrequestReview(t.Context(), testPR, []string{"hubot"}) },
			method: http.MethodDelete, path: "/repos/octo-org/hello/pulls/7/requested_reviewers", field: "reviewers",
			reply: providertest.Reply{Status: http.StatusOK, Body: `{"number":7}`}},
		{name: "close", call: func(p *Provider) error { return p.ClosePullRequest(t.Context(), testPR) },
			method: http.MethodPatch, path: "/repos/octo-org/hello/pulls/7", field: "state",
			reply: providertest.Reply{Status: http.StatusOK, Body: `{"number":7,"state":"closed"}`}},
		{name: "reopen", call: func(p *Provider) error { return p.ReopenPullRequest(t.Context(), testPR) },
			method: http.MethodPatch, path: "/repos/octo-org/hello/pulls/7", field: "state",
			reply: providertest.Reply{Status: http.StatusOK, Body: `{"number":7,"state":"open"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{tc.method + " " + tc.path: tc.reply})
			err := tc.call(newAPIProvider(t, api.URL))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if _, ok := api.Only(t, tc.method, tc.path).JSON(t)[tc.field]; !ok {
				t.Errorf("request body lacks %q", tc.field)
			}
		})
	}
}

func TestIsRepoAdmin(t *testing.T) {
	tests := []struct {
		name  string
		reply providertest.Reply
		want  bool
	}{
		{name: "admin", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "collaborator-permission-admin.json")}, want: true},
		{name: "write is not admin", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "collaborator-permission-write.json")}},
		{name: "not a collaborator", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const path = "/repos/octo-org/hello/collaborators/octocat/permission"
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newAPIProvider(t, api.URL).IsRepoAdmin(t.Context(), "octo-org/hello", "octocat")
			if err != nil || got != tc.want {
				t.Errorf("IsRepoAdmin() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
