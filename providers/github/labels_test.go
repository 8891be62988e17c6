package github

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testPR = event.Target{Repo: "octo-org/hello", Number: 7}

func TestLabelsAllPages(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/7/labels"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK, Body: recorded(t, "issues-labels-page1.json"), Header: http.Header{
			"Link": {`<https://api.github.com/repositories/1/issues/7/labels?page=2&per_page=100>; rel="next", <https://api.github.com/repositories/1/issues/7/labels?page=2&per_page=100>; rel="last"`},
		}},
		"GET " + path + "?page=2&per_page=100": {Status: http.StatusOK, Body: recorded(t, "issues-labels-page2.json")},
	})
	got, err := newAPIProvider(t, api.URL).Labels(t.Context(), testPR)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lgtm", "do-not-merge/hold", "kind/bug"}, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
}

func TestAddLabel(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/7/labels"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + path: {Status: http.StatusOK, Body: recorded(t, "issues-labels-add.json")}})
	if err := newAPIProvider(t, api.URL).AddLabel(t.Context(), testPR, "lgtm"); err != nil {
		t.Fatal(err)
	}
	if got := api.Only(t, http.MethodPost, path).Body; got != "[\"lgtm\"]\n" {
		t.Errorf("body = %q, want [\"lgtm\"]", got)
	}
}

func TestRemoveLabel(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/7/labels/do-not-merge%2Fhold"
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "removed", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "issues-labels-add.json")}},
		{name: "not there is no error", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "issues-label-missing.json")}},
		{name: "forbidden is an error", reply: providertest.Reply{Status: http.StatusForbidden, Body: `{"message":"Resource not accessible by integration"}`}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"DELETE " + path: tc.reply})
			err := newAPIProvider(t, api.URL).RemoveLabel(t.Context(), testPR, "do-not-merge/hold")
			if (err != nil) != tc.wantErr {
				t.Fatalf("RemoveLabel() error = %v, want error %v", err, tc.wantErr)
			}
			api.Only(t, http.MethodDelete, path)
		})
	}
}
