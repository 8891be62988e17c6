package gitlab

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const mrPath = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7"

var testMR = event.Target{Repo: nestedRepo, Number: 7}

func TestLabels(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + mrPath: {Status: http.StatusOK, Body: recorded(t, "merge-request.json")}})
	got, err := newTestProvider(t, api.URL).Labels(t.Context(), testMR)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lgtm", "do-not-merge/hold"}, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}

func TestChangeLabel(t *testing.T) {
	tests := []struct {
		name     string
		remove   bool
		label    string
		wantBody map[string]any
		reply    providertest.Reply
		wantErr  bool
	}{
		{name: "add", label: "lgtm", wantBody: map[string]any{"add_labels": "lgtm"}, reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "merge-request.json")}},
		{name: "remove", remove: true, label: "do-not-merge/hold", wantBody: map[string]any{"remove_labels": "do-not-merge/hold"}, reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "merge-request.json")}},
		{name: "refused", label: "lgtm", wantBody: map[string]any{"add_labels": "lgtm"}, reply: providertest.Reply{Status: http.StatusForbidden, Body: `{"message":"403 Forbidden"}`}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"PUT " + mrPath: tc.reply})
			p := newTestProvider(t, api.URL)
			var err error
			if tc.remove {
				err = p.RemoveLabel(t.Context(), testMR, tc.label)
			} else {
				err = p.AddLabel(t.Context(), testMR, tc.label)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantBody, api.Only(t, http.MethodPut, mrPath).JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLabelWithCommaRefused(t *testing.T) {
	api := providertest.NewAPI(t, nil)
	if err := newTestProvider(t, api.URL).AddLabel(t.Context(), testMR, "a,b"); err == nil {
		t.Fatal("AddLabel(a,b) gave no error; GitLab would add two labels")
	}
	if n := len(api.Requests()); n != 0 {
		t.Errorf("made %d requests", n)
	}
}
