package bitbucketserver

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const prPath = "/rest/api/1.0/projects/PRJ/repos/hello/pull-requests/7"

var testPR = event.Target{Repo: "PRJ/hello", Number: 7}

func TestListCommentsFromActivities(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + prPath + "/activities?limit=100&start=0":   ok(t, "pull-request-activities-page1.json"),
		"GET " + prPath + "/activities?limit=100&start=100": ok(t, "pull-request-activities-page2.json"),
	})
	got, err := newTestProvider(t, api.URL).ListComments(t.Context(), testPR)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Comment{
		{ID: "168", Body: "/lgtm", Author: "hubot"},
		{ID: "169", Body: "Jobs: unit passed", Author: "fresnel-bot"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

func TestEditCommentSendsVersion(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "edited", reply: ok(t, "pull-request-comment-edited.json")},
		{name: "changed in between", reply: providertest.Reply{Status: http.StatusConflict, Body: recorded(t, "error-comment-conflict.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + prPath + "/comments/169": ok(t, "pull-request-comment.json"),
				"PUT " + prPath + "/comments/169": tc.reply,
			})
			err := newTestProvider(t, api.URL).EditComment(t.Context(), testPR, "169", "Jobs: all passed")
			if (err != nil) != tc.wantErr {
				t.Fatalf("EditComment() error = %v, want error %v", err, tc.wantErr)
			}
			reqs := api.Requests()
			if len(reqs) != 2 || reqs[1].Method != http.MethodPut {
				t.Fatalf("requests = %+v, want GET then PUT", reqs)
			}
			want := map[string]any{"text": "Jobs: all passed", "version": float64(3)}
			if diff := cmp.Diff(want, reqs[1].JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteCommentSendsVersion(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + prPath + "/comments/169":              ok(t, "pull-request-comment.json"),
		"DELETE " + prPath + "/comments/169?version=3": {Status: http.StatusNoContent},
	})
	if err := newTestProvider(t, api.URL).DeleteComment(t.Context(), testPR, "169"); err != nil {
		t.Fatal(err)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests, want GET and DELETE", n)
	}
}

func TestDeleteCommentGone(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + prPath + "/comments/169": {Status: http.StatusNotFound, Body: `{"errors":[{"context":null,"message":"Comment 169 does not exist.","exceptionName":"com.atlassian.bitbucket.comment.NoSuchCommentException"}]}`},
	})
	if err := newTestProvider(t, api.URL).DeleteComment(t.Context(), testPR, "169"); err == nil {
		t.Fatal("DeleteComment() of a missing comment gave no error")
	}
}
