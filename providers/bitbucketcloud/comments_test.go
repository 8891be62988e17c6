package bitbucketcloud

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const commentsBase = "/2.0/repositories/octo-ws/hello/pullrequests/7/comments"

var testPR = event.Target{Repo: "octo-ws/hello", Number: 7}

func TestListCommentsAllPagesNoDeleted(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + commentsBase + "?page=1&pagelen=100": {Status: http.StatusOK, Body: recorded(t, "pullrequest-comments-page1.json")},
		"GET " + commentsBase + "?page=2&pagelen=100": {Status: http.StatusOK, Body: recorded(t, "pullrequest-comments-page2.json")},
	})
	got, err := newTestProvider(t, api.URL).ListComments(t.Context(), testPR)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Comment{
		{ID: "471", Body: "/lgtm", Author: "557058:hubot"},
		{ID: "480", Body: "Jobs: unit passed", Author: "557058:fresnel-bot"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

func TestEditComment(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{"PUT " + commentsBase + "/480": {Status: http.StatusOK, Body: recorded(t, "pullrequest-comment-edited.json")}})
	if err := newTestProvider(t, api.URL).EditComment(t.Context(), testPR, "480", "Jobs: all passed"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"content": map[string]any{"raw": "Jobs: all passed"}}
	if diff := cmp.Diff(want, api.Only(t, http.MethodPut, commentsBase+"/480").JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestDeleteComment(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "deleted", reply: providertest.Reply{Status: http.StatusNoContent}},
		{name: "refused", reply: providertest.Reply{Status: http.StatusForbidden, Body: recorded(t, "error-forbidden.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"DELETE " + commentsBase + "/480": tc.reply})
			err := newTestProvider(t, api.URL).DeleteComment(t.Context(), testPR, "480")
			if (err != nil) != tc.wantErr {
				t.Fatalf("DeleteComment() error = %v, want error %v", err, tc.wantErr)
			}
			api.Only(t, http.MethodDelete, commentsBase+"/480")
		})
	}
}

func TestCommentBadID(t *testing.T) {
	api := providertest.NewAPI(t, nil)
	if err := newTestProvider(t, api.URL).DeleteComment(t.Context(), testPR, "../../../x"); err == nil {
		t.Fatal("DeleteComment(../../../x) gave no error")
	}
	if n := len(api.Requests()); n != 0 {
		t.Errorf("made %d requests", n)
	}
}
