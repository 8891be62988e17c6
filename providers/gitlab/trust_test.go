package gitlab

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// recorded reads a recorded API answer from testdata/api.
func recorded(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "api", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const usersPath = "/api/v4/users?username=hubot"

func TestIsOrgMember(t *testing.T) {
	// A nested group: its "/" must reach GitLab escaped, as one segment.
	const memberPath = "/api/v4/groups/platform%2Fteam/members/all/1742"
	found := providertest.Reply{Status: http.StatusOK, Body: recorded(t, "users-by-username.json")}
	tests := []struct {
		name     string
		replies  map[string]providertest.Reply
		want     bool
		wantErr  bool
		requests int
	}{
		{name: "developer", want: true, requests: 2, replies: map[string]providertest.Reply{
			"GET " + usersPath: found, "GET " + memberPath: {Status: http.StatusOK, Body: recorded(t, "groups-members-all-developer.json")}}},
		{name: "reporter is not trusted", requests: 2, replies: map[string]providertest.Reply{
			"GET " + usersPath: found, "GET " + memberPath: {Status: http.StatusOK, Body: recorded(t, "groups-members-all-reporter.json")}}},
		{name: "no member", requests: 2, replies: map[string]providertest.Reply{
			"GET " + usersPath: found, "GET " + memberPath: {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}}},
		{name: "unknown user", requests: 1, replies: map[string]providertest.Reply{
			"GET " + usersPath: {Status: http.StatusOK, Body: recorded(t, "users-by-username-none.json")}}},
		{name: "user lookup refused is an error", wantErr: true, requests: 1, replies: map[string]providertest.Reply{
			"GET " + usersPath: {Status: http.StatusUnauthorized, Body: recorded(t, "unauthorized.json")}}},
		{name: "member lookup fails", wantErr: true, requests: 2, replies: map[string]providertest.Reply{
			"GET " + usersPath: found, "GET " + memberPath: {Status: http.StatusInternalServerError, Body: `{"message":"500 Internal Server Error"}`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, tc.replies)
			got, err := newTestProvider(t, api.URL).IsOrgMember(t.Context(), "platform/team", "hubot")
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsOrgMember() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestIsCollaborator(t *testing.T) {
	const memberPath = "/api/v4/projects/a%2Fb%2Fc/members/all/1742"
	tests := []struct {
		name  string
		reply providertest.Reply
		want  bool
	}{
		{name: "owner through a parent group", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "projects-members-all-owner.json")}, want: true},
		{name: "guest", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "projects-members-all-guest.json")}},
		{name: "no member", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + usersPath:  {Status: http.StatusOK, Body: recorded(t, "users-by-username.json")},
				"GET " + memberPath: tc.reply,
			})
			got, err := newTestProvider(t, api.URL).IsCollaborator(t.Context(), nestedRepo, "hubot")
			if err != nil || got != tc.want {
				t.Fatalf("IsCollaborator() = %v, %v; want %v", got, err, tc.want)
			}
			if last := api.Requests()[1]; last.Path != memberPath || last.Auth != "Bearer glpat-test" {
				t.Errorf("second request = %+v, want GET %s with the token", last, memberPath)
			}
		})
	}
}
