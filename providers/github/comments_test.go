package github

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestListCommentsAllPages(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/7/comments"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK, Body: recorded(t, "issues-comments-page1.json"), Header: http.Header{
			"Link": {`<https://api.github.com/repositories/1/issues/7/comments?page=2&per_page=100>; rel="next"`},
		}},
		"GET " + path + "?page=2&per_page=100": {Status: http.StatusOK, Body: recorded(t, "issues-comments-page2.json")},
	})
	got, err := newAPIProvider(t, api.URL).ListComments(t.Context(), testPR)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Comment{
		{ID: "1146825", Body: "/lgtm", Author: "octocat"},
		{ID: "1146826", Body: "Jobs: unit passed", Author: "fresnel-bot[bot]"},
		{ID: "1146900", Body: "/hold", Author: "hubot"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

func TestListCommentsError(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /repos/octo-org/hello/issues/7/comments": {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")},
	})
	if _, err := newAPIProvider(t, api.URL).ListComments(t.Context(), testPR); err == nil {
		t.Fatal("ListComments() gave no error for a 404")
	}
}

func TestEditComment(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/comments/1146826"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"PATCH " + path: {Status: http.StatusOK, Body: recorded(t, "issues-comment-edited.json")}})
	if err := newAPIProvider(t, api.URL).EditComment(t.Context(), testPR, "1146826", "Jobs: all passed"); err != nil {
		t.Fatal(err)
	}
	got := api.Only(t, http.MethodPatch, path)
	if diff := cmp.Diff(map[string]any{"body": "Jobs: all passed"}, got.JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestDeleteComment(t *testing.T) {
	const path = "/repos/octo-org/hello/issues/comments/1146826"
	api := providertest.NewAPI(t, map[string]providertest.Reply{"DELETE " + path: {Status: http.StatusNoContent}})
	if err := newAPIProvider(t, api.URL).DeleteComment(t.Context(), testPR, "1146826"); err != nil {
		t.Fatal(err)
	}
	api.Only(t, http.MethodDelete, path)
}

func TestCommentBadID(t *testing.T) {
	api := providertest.NewAPI(t, nil)
	p := newAPIProvider(t, api.URL)
	if err := p.EditComment(t.Context(), testPR, "abc", "x"); err == nil {
		t.Error("EditComment(abc) gave no error")
	}
	if err := p.DeleteComment(t.Context(), testPR, ""); err == nil {
		t.Error("DeleteComment(\"\") gave no error")
	}
	if n := len(api.Requests()); n != 0 {
		t.Errorf("made %d requests for bad ids", n)
	}
}
