package gitlab

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestPullRequestCount(t *testing.T) {
	q := url.Values{"author_username": {"alice"}, "state": {"all"}, "per_page": {"2"}}
	key := "GET /api/v4/projects/acme%2Fplatform%2Fapi/merge_requests?" + q.Encode()
	page := recorded(t, "merge-requests-by-author.json")
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    int
		wantErr bool
	}{
		{name: "X-Total", reply: providertest.Reply{Status: http.StatusOK, Body: page, Header: http.Header{"X-Total": {"5"}}}, want: 5},
		{name: "no X-Total past 10,000: the page's count", reply: providertest.Reply{Status: http.StatusOK, Body: page}, want: 2},
		{name: "none", reply: providertest.Reply{Status: http.StatusOK, Body: "[]", Header: http.Header{"X-Total": {"0"}}}, want: 0},
		{name: "bad X-Total", reply: providertest.Reply{Status: http.StatusOK, Body: page, Header: http.Header{"X-Total": {"many"}}}, wantErr: true},
		{name: "not found", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{key: tc.reply})
			got, err := newTestProvider(t, api.URL).PullRequestCount(t.Context(), "acme/platform/api", "alice")
			if (err != nil) != tc.wantErr {
				t.Fatalf("PullRequestCount error = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("PullRequestCount = %d, want %d", got, tc.want)
			}
		})
	}
}
