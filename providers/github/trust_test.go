package github

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

func newAPIProvider(t testing.TB, url string) *Provider {
	t.Helper()
	p, err := New(Options{Secret: testSecret, URL: url, Token: "ghp-test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIsOrgMember(t *testing.T) {
	const path = "/orgs/octo-org/members/hubot"
	tests := []struct {
		name    string
		replies map[string]providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "member", replies: map[string]providertest.Reply{"GET " + path: {Status: http.StatusNoContent}}, want: true},
		{name: "not a member", replies: map[string]providertest.Reply{"GET " + path: {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}}},
		{name: "redirect to public members, public", replies: map[string]providertest.Reply{
			"GET " + path: {Status: http.StatusFound, Header: http.Header{"Location": {"/orgs/octo-org/public_members/hubot"}}},
			"GET /orgs/octo-org/public_members/hubot": {Status: http.StatusNoContent},
		}, want: true},
		{name: "redirect to public members, not public", replies: map[string]providertest.Reply{
			"GET " + path: {Status: http.StatusFound, Header: http.Header{"Location": {"/orgs/octo-org/public_members/hubot"}}},
			"GET /orgs/octo-org/public_members/hubot": {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")},
		}},
		{name: "302 without a place to go is no", replies: map[string]providertest.Reply{"GET " + path: {Status: http.StatusFound}}},
		{name: "bad token is an error", replies: map[string]providertest.Reply{"GET " + path: {Status: http.StatusUnauthorized, Body: recorded(t, "bad-credentials.json")}}, wantErr: true},
		{name: "server error is an error", replies: map[string]providertest.Reply{"GET " + path: {Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, tc.replies)
			got, err := newAPIProvider(t, api.URL).IsOrgMember(t.Context(), "octo-org", "hubot")
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsOrgMember() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			if first := api.Requests()[0]; first.Method != http.MethodGet || first.Path != path || first.Auth != "Bearer ghp-test" {
				t.Errorf("first request = %+v, want GET %s with the token", first, path)
			}
		})
	}
}

func TestIsCollaborator(t *testing.T) {
	const path = "/repos/octo-org/hello/collaborators/hubot"
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "collaborator", reply: providertest.Reply{Status: http.StatusNoContent}, want: true},
		{name: "not a collaborator", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}},
		{name: "forbidden is an error", reply: providertest.Reply{Status: http.StatusForbidden, Body: `{"message":"Must have push access to view repository collaborators."}`}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newAPIProvider(t, api.URL).IsCollaborator(t.Context(), "octo-org/hello", "hubot")
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsCollaborator() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			api.Only(t, http.MethodGet, path)
		})
	}
}

func TestIsCollaboratorBadRepo(t *testing.T) {
	api := providertest.NewAPI(t, nil)
	if _, err := newAPIProvider(t, api.URL).IsCollaborator(t.Context(), "no-slash", "hubot"); err == nil {
		t.Fatal("IsCollaborator(no-slash) gave no error")
	}
	if n := len(api.Requests()); n != 0 {
		t.Errorf("made %d requests for a bad repository name", n)
	}
}
