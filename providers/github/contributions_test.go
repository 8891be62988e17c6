package github

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestChangedLines(t *testing.T) {
	const path = "/repos/octo-org/hello/pulls/7"
	tests := []struct {
		name             string
		reply            providertest.Reply
		wantAdd, wantDel int
		wantErr          bool
	}{
		{name: "recorded pull request", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "pulls-get.json")}, wantAdd: 100, wantDel: 3},
		{name: "no line counts", reply: providertest.Reply{Status: http.StatusOK, Body: `{"number":7}`}, wantErr: true},
		{name: "not found", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			add, del, err := newAPIProvider(t, api.URL).ChangedLines(t.Context(), testPR)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ChangedLines error = %v, want error %v", err, tc.wantErr)
			}
			if add != tc.wantAdd || del != tc.wantDel {
				t.Errorf("ChangedLines = +%d -%d, want +%d -%d", add, del, tc.wantAdd, tc.wantDel)
			}
		})
	}
}

func TestPullRequestCount(t *testing.T) {
	q := url.Values{"q": {"is:pr repo:octo-org/hello author:octocat"}, "per_page": {"1"}}
	key := "GET /search/issues?" + q.Encode()
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    int
		wantErr bool
	}{
		{name: "recorded search", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "search-issues-prs.json")}, want: 2},
		{name: "no total", reply: providertest.Reply{Status: http.StatusOK, Body: `{"items":[]}`}, wantErr: true},
		{name: "rate limited", reply: providertest.Reply{Status: http.StatusForbidden, Body: `{"message":"API rate limit exceeded"}`}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{key: tc.reply})
			got, err := newAPIProvider(t, api.URL).PullRequestCount(t.Context(), "octo-org/hello", "octocat")
			if (err != nil) != tc.wantErr {
				t.Fatalf("PullRequestCount error = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("PullRequestCount = %d, want %d", got, tc.want)
			}
		})
	}
}
