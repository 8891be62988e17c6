package bitbucketcloud

import (
	"net/http"
	"net/url"
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

const hubot = "557058:6c1a9e1b-2a4f-4d38-9a55-6f3b7d2e8c10"

func TestIsOrgMember(t *testing.T) {
	const path = "/2.0/workspaces/octo-ws/members/557058:6c1a9e1b-2a4f-4d38-9a55-6f3b7d2e8c10"
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "member", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "workspace-membership.json")}, want: true},
		{name: "not a member", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "error-not-found.json")}},
		{name: "token lacks scope", reply: providertest.Reply{Status: http.StatusForbidden, Body: recorded(t, "error-forbidden.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newTestProvider(t, api.URL).IsOrgMember(t.Context(), "octo-ws", hubot)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsOrgMember() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			if req := api.Only(t, http.MethodGet, path); req.Auth != "Bearer bb-token" {
				t.Errorf("Authorization = %q", req.Auth)
			}
		})
	}
}

func TestIsCollaborator(t *testing.T) {
	path := "/2.0/workspaces/octo-ws/permissions/repositories/hello?" +
		url.Values{"q": {`user.account_id="` + hubot + `"`}, "page": {"1"}, "pagelen": {"100"}}.Encode()
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    bool
		wantErr bool
	}{
		{name: "write", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "permissions-repositories-write.json")}, want: true},
		{name: "read only", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "permissions-repositories-read.json")}},
		{name: "no permission", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "permissions-repositories-none.json")}},
		{name: "not an admin token", reply: providertest.Reply{Status: http.StatusForbidden, Body: recorded(t, "error-forbidden.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newTestProvider(t, api.URL).IsCollaborator(t.Context(), "octo-ws/hello", hubot)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("IsCollaborator() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			api.Only(t, http.MethodGet, path)
		})
	}
}

func TestIsCollaboratorReadsEveryPage(t *testing.T) {
	query := func(page string) string {
		return "/2.0/workspaces/octo-ws/permissions/repositories/hello?" +
			url.Values{"q": {`user.account_id="` + hubot + `"`}, "page": {page}, "pagelen": {"100"}}.Encode()
	}
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + query("1"): {Status: http.StatusOK, Body: recorded(t, "permissions-repositories-page1.json")},
		"GET " + query("2"): {Status: http.StatusOK, Body: recorded(t, "permissions-repositories-page2.json")},
	})
	got, err := newTestProvider(t, api.URL).IsCollaborator(t.Context(), "octo-ws/hello", hubot)
	if err != nil || !got {
		t.Fatalf("IsCollaborator() = %v, %v; want true from the second page", got, err)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}
