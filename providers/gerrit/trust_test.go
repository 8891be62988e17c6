package gerrit

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

func apiProvider(t testing.TB, url string, groups ...string) *Provider {
	t.Helper()
	return newTestProvider(t, Options{URL: url, Username: "fresnel", Token: "http-password", TrustedGroups: groups})
}

func TestIsOrgMember(t *testing.T) {
	const path = "/a/groups/Release%20Managers/members/?recursive=true"
	tests := []struct {
		name    string
		user    string
		reply   providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "member by username", user: "hubot", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "groups-members-recursive.json")}, want: true},
		{name: "member without username, by email", user: "nouser@example.com", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "groups-members-recursive.json")}, want: true},
		{name: "email of an account with a username does not count", user: "hubot@example.com", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "groups-members-recursive.json")}},
		{name: "not a member", user: "hubot", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "groups-members-other.json")}},
		{name: "unknown group has no members", user: "hubot", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "group-not-found.txt")}},
		{name: "refused is an error", user: "hubot", reply: providertest.Reply{Status: http.StatusForbidden, Body: "administrate server not permitted"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET /a/groups/Release%20Managers/members/": tc.reply})
			got, err := apiProvider(t, api.URL).IsOrgMember(t.Context(), "Release Managers", tc.user)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsOrgMember() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			api.Only(t, http.MethodGet, path)
		})
	}
}

func TestIsCollaboratorAsksTrustedGroups(t *testing.T) {
	tests := []struct {
		name     string
		groups   []string
		replies  map[string]providertest.Reply
		want     bool
		requests int
	}{
		{name: "default group is Administrators", want: true, requests: 1, replies: map[string]providertest.Reply{
			"GET /a/groups/Administrators/members/": {Status: http.StatusOK, Body: recorded(t, "groups-members-recursive.json")}}},
		{name: "second group", groups: []string{"Release Managers", "ci-trusted"}, want: true, requests: 2, replies: map[string]providertest.Reply{
			"GET /a/groups/Release%20Managers/members/": {Status: http.StatusOK, Body: recorded(t, "groups-members-other.json")},
			"GET /a/groups/ci-trusted/members/":         {Status: http.StatusOK, Body: recorded(t, "groups-members-recursive.json")}}},
		{name: "in none", groups: []string{"Release Managers", "ci-trusted"}, requests: 2, replies: map[string]providertest.Reply{
			"GET /a/groups/Release%20Managers/members/": {Status: http.StatusOK, Body: recorded(t, "groups-members-other.json")},
			"GET /a/groups/ci-trusted/members/":         {Status: http.StatusNotFound, Body: recorded(t, "group-not-found.txt")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, tc.replies)
			got, err := apiProvider(t, api.URL, tc.groups...).IsCollaborator(t.Context(), "platform/tools", "hubot")
			if err != nil || got != tc.want {
				t.Fatalf("IsCollaborator() = %v, %v; want %v", got, err, tc.want)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}
