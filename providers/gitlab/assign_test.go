package gitlab

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestChangePeople(t *testing.T) {
	const mrPath = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7"
	target := event.Target{Repo: "a/b/c", Number: 7}
	replies := func() map[string]providertest.Reply {
		return map[string]providertest.Reply{
			"GET " + mrPath:    {Status: http.StatusOK, Body: recorded(t, "merge-request-assigned.json")},
			"GET " + usersPath: {Status: http.StatusOK, Body: recorded(t, "users-by-username.json")},
			"PUT " + mrPath:    {Status: http.StatusOK, Body: recorded(t, "merge-request-assigned.json")},
		}
	}
	tests := []struct {
		name  string
		call  func(p *Provider) error
		field string
		want  []any
	}{
		{name: "assign keeps the assignees there", call: func(p *Provider) error { return p.Assign(t.Context(), target, []string{"hubot"}) },
			field: "assignee_ids", want: []any{9.0, 1742.0}},
		{name: "unassign", call: func(p *Provider) error { return p.Unassign(t.Context(), target, []string{"bob"}) },
			field: "assignee_ids", want: []any{}},
		{name: "request review", call: func(p *Provider) error { return p.RequestReview(t.Context(), target, []string{"hubot"}) },
			field: "reviewer_ids", want: []any{9.0, 1742.0}},
		{name: "withdraw review request", call: func(p *Provider) error { return p.UnrequestReview(t.Context(), target, []string{"bob"}) },
			field: "reviewer_ids", want: []any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, replies())
			if err := tc.call(newTestProvider(t, api.URL)); err != nil {
				t.Fatal(err)
			}
			var puts []providertest.Request
			for _, r := range api.Requests() {
				if r.Method == http.MethodPut && r.Path == mrPath {
					puts = append(puts, r)
				}
			}
			if len(puts) != 1 {
				t.Fatalf("%d PUTs of the merge request, want 1", len(puts))
			}
			got := puts[0].JSON(t)[tc.field]
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s sent (-want +got):\n%s", tc.field, diff)
			}
		})
	}
}

func TestCloseReopen(t *testing.T) {
	const mrPath = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7"
	target := event.Target{Repo: "a/b/c", Number: 7}
	for name, tc := range map[string]struct {
		call func(p *Provider) error
		want string
	}{
		"close":  {call: func(p *Provider) error { return p.ClosePullRequest(t.Context(), target) }, want: "close"},
		"reopen": {call: func(p *Provider) error { return p.ReopenPullRequest(t.Context(), target) }, want: "reopen"},
	} {
		t.Run(name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"PUT " + mrPath: {Status: http.StatusOK, Body: recorded(t, "merge-request.json")}})
			if err := tc.call(newTestProvider(t, api.URL)); err != nil {
				t.Fatal(err)
			}
			if got := api.Only(t, http.MethodPut, mrPath).JSON(t)["state_event"]; got != tc.want {
				t.Errorf("state_event = %v, want %s", got, tc.want)
			}
		})
	}
}

func TestIsRepoAdmin(t *testing.T) {
	const memberPath = "/api/v4/projects/a%2Fb%2Fc/members/all/1742"
	tests := []struct {
		name  string
		reply providertest.Reply
		want  bool
	}{
		{name: "owner", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "projects-members-all-owner.json")}, want: true},
		{name: "developer is not admin", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "groups-members-all-developer.json")}},
		{name: "no member", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + usersPath: {Status: http.StatusOK, Body: recorded(t, "users-by-username.json")}, "GET " + memberPath: tc.reply})
			got, err := newTestProvider(t, api.URL).IsRepoAdmin(t.Context(), "a/b/c", "hubot")
			if err != nil || got != tc.want {
				t.Errorf("IsRepoAdmin() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
