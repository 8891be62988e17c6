package gitlab

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestChangedLines(t *testing.T) {
	const path = "/api/v4/projects/acme%2Fplatform%2Fapi/merge_requests/7/diffs"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK, Body: recorded(t, "merge-request-diffs-page1.json"), Header: http.Header{"X-Next-Page": {"2"}}},
		"GET " + path + "?page=2&per_page=100": {Status: http.StatusOK, Body: recorded(t, "merge-request-diffs-page2.json"), Header: http.Header{"X-Next-Page": {""}}},
	})
	add, del, err := newTestProvider(t, api.URL).ChangedLines(t.Context(), event.Target{Repo: "acme/platform/api", Number: 7})
	if err != nil {
		t.Fatal(err)
	}
	if add != 3 || del != 3 {
		t.Errorf("ChangedLines = +%d -%d, want +3 -3 over two pages", add, del)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
}

func TestChangedLinesError(t *testing.T) {
	const path = "/api/v4/projects/acme%2Fplatform%2Fapi/merge_requests/7/diffs?page=1&per_page=100"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}})
	if _, _, err := newTestProvider(t, api.URL).ChangedLines(t.Context(), event.Target{Repo: "acme/platform/api", Number: 7}); err == nil {
		t.Error("a missing merge request gave no error")
	}
}
