package bitbucketserver

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

const (
	repoPerms    = "/rest/api/1.0/projects/PRJ/repos/hello/permissions/users"
	projectPerms = "/rest/api/1.0/projects/PRJ/permissions/users"
	firstPage    = "?filter=hubot&limit=100&start=0"
)

func ok(t *testing.T, name string) providertest.Reply {
	return providertest.Reply{Status: http.StatusOK, Body: recorded(t, name)}
}

func TestIsCollaborator(t *testing.T) {
	tests := []struct {
		name     string
		replies  map[string]providertest.Reply
		want     bool
		wantErr  bool
		requests int
	}{
		{name: "repo write", want: true, requests: 1, replies: map[string]providertest.Reply{
			"GET " + repoPerms + firstPage: ok(t, "repo-permissions-users-write.json")}},
		{name: "repo read, project write", want: true, requests: 2, replies: map[string]providertest.Reply{
			"GET " + repoPerms + firstPage:    ok(t, "repo-permissions-users-read.json"),
			"GET " + projectPerms + firstPage: ok(t, "project-permissions-users-write.json")}},
		{name: "filter matched someone else", requests: 2, replies: map[string]providertest.Reply{
			"GET " + repoPerms + firstPage:    ok(t, "repo-permissions-users-other.json"),
			"GET " + projectPerms + firstPage: ok(t, "permissions-users-empty.json")}},
		{name: "read only", requests: 2, replies: map[string]providertest.Reply{
			"GET " + repoPerms + firstPage:    ok(t, "repo-permissions-users-read.json"),
			"GET " + projectPerms + firstPage: ok(t, "project-permissions-users-read.json")}},
		{name: "token may not read permissions", wantErr: true, requests: 1, replies: map[string]providertest.Reply{
			"GET " + repoPerms + firstPage: {Status: http.StatusUnauthorized, Body: recorded(t, "error-forbidden.json")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, tc.replies)
			got, err := newTestProvider(t, api.URL).IsCollaborator(t.Context(), "PRJ/hello", "hubot")
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsCollaborator() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestIsOrgMember(t *testing.T) {
	tests := []struct {
		name    string
		replies map[string]providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "project write", want: true, replies: map[string]providertest.Reply{"GET " + projectPerms + firstPage: ok(t, "project-permissions-users-write.json")}},
		{name: "project read", replies: map[string]providertest.Reply{"GET " + projectPerms + firstPage: ok(t, "project-permissions-users-read.json")}},
		{name: "on the second page", want: true, replies: map[string]providertest.Reply{
			"GET " + projectPerms + firstPage:                           ok(t, "project-permissions-users-page1.json"),
			"GET " + projectPerms + "?filter=hubot&limit=100&start=100": ok(t, "project-permissions-users-page2.json")}},
		{name: "no such project", wantErr: true, replies: map[string]providertest.Reply{
			"GET " + projectPerms + firstPage: {Status: http.StatusNotFound, Body: recorded(t, "error-no-project.json")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, tc.replies)
			got, err := newTestProvider(t, api.URL).IsOrgMember(t.Context(), "PRJ", "hubot")
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsOrgMember() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			if auth := api.Requests()[0].Auth; auth != "Bearer bbdc-token" {
				t.Errorf("Authorization = %q", auth)
			}
		})
	}
}
