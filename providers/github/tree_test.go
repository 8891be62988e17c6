package github

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestTreeHash(t *testing.T) {
	const (
		commit = "7638417db6d59f3c431d3e1f261cc637155684cd"
		path   = "/repos/octo-org/hello/git/commits/" + commit
	)
	tests := []struct {
		name     string
		sha      string
		reply    providertest.Reply
		want     string
		requests int
	}{
		{name: "the commit's tree", sha: commit, reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "git-commit.json")},
			want: "691272480426f78a0138979dd3ce63b77f706feb", requests: 1},
		{name: "an unknown commit is an error", sha: commit, reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, requests: 1},
		{name: "an answer without a tree is an error", sha: commit, reply: providertest.Reply{Status: http.StatusOK, Body: `{"sha": "` + commit + `"}`}, requests: 1},
		{name: "no commit asks nothing", sha: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newAPIProvider(t, api.URL).TreeHash(t.Context(), "octo-org/hello", tc.sha)
			if (err != nil) != (tc.want == "") {
				t.Fatalf("err = %v, want an error: %t", err, tc.want == "")
			}
			if got != tc.want {
				t.Errorf("tree = %q, want %q", got, tc.want)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}
