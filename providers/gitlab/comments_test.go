package gitlab

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestListCommentsSkipsSystemNotes(t *testing.T) {
	const notes = mrPath + "/notes?order_by=created_at&page="
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + notes + "1&per_page=100&sort=asc": {Status: http.StatusOK, Body: recorded(t, "merge-request-notes-page1.json"),
			Header: http.Header{"X-Next-Page": {"2"}, "X-Page": {"1"}, "X-Per-Page": {"100"}}},
		"GET " + notes + "2&per_page=100&sort=asc": {Status: http.StatusOK, Body: recorded(t, "merge-request-notes-page2.json"),
			Header: http.Header{"X-Next-Page": {""}, "X-Page": {"2"}, "X-Per-Page": {"100"}}},
	})
	got, err := newTestProvider(t, api.URL).ListComments(t.Context(), testMR)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Comment{
		{ID: "1244", Body: "/lgtm", Author: "hubot"},
		{ID: "1301", Body: "Jobs: unit passed", Author: "fresnel-bot"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

func TestEditComment(t *testing.T) {
	const path = mrPath + "/notes/1301"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"PUT " + path: {Status: http.StatusOK, Body: recorded(t, "merge-request-note-edited.json")}})
	if err := newTestProvider(t, api.URL).EditComment(t.Context(), testMR, "1301", "Jobs: all passed"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"body": "Jobs: all passed"}, api.Only(t, http.MethodPut, path).JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestDeleteComment(t *testing.T) {
	const path = mrPath + "/notes/1301"
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "deleted", reply: providertest.Reply{Status: http.StatusNoContent}},
		{name: "gone", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"DELETE " + path: tc.reply})
			err := newTestProvider(t, api.URL).DeleteComment(t.Context(), testMR, "1301")
			if (err != nil) != tc.wantErr {
				t.Fatalf("DeleteComment() error = %v, want error %v", err, tc.wantErr)
			}
			api.Only(t, http.MethodDelete, path)
		})
	}
}
