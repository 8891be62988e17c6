package bitbucketserver

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const (
	headSHA    = "32a0b8a740c2f9fe4b5b7e8a3a0d2a6c5f1e9d01"
	statusPath = "/rest/build-status/1.0/commits/" + headSHA
)

func TestSetStatus(t *testing.T) {
	tests := []struct {
		name   string
		status providers.Status
		want   map[string]any
	}{
		{
			name:   "pending with a link",
			status: providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job triggered.", TargetURL: "https://dash.example.com/run/1"},
			want:   map[string]any{"state": "INPROGRESS", "key": "ci/unit", "name": "ci/unit", "url": "https://dash.example.com/run/1", "description": "Job triggered."},
		},
		{
			name:   "error without a link gets the commit page",
			status: providers.Status{State: providers.StateError, Context: "ci/unit"},
			want:   map[string]any{"state": "FAILED", "key": "ci/unit", "name": "ci/unit", "url": "URL/projects/~GOPHER/repos/webhook-test/commits/" + headSHA},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + statusPath: {Status: http.StatusNoContent}})
			p := newTestProvider(t, api.URL)
			if err := p.SetStatus(t.Context(), event.CommitRef{Repo: "~GOPHER/webhook-test", SHA: headSHA, Number: 5}, tc.status); err != nil {
				t.Fatal(err)
			}
			got := api.Only(t, http.MethodPost, statusPath)
			if got.Auth != "Bearer bbdc-token" {
				t.Errorf("Authorization = %q", got.Auth)
			}
			if u, ok := tc.want["url"].(string); ok && u[:3] == "URL" {
				tc.want["url"] = api.URL + u[3:]
			}
			if diff := cmp.Diff(tc.want, got.JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetStatusRefused(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"POST " + statusPath: {Status: http.StatusBadRequest, Body: `{"errors":[{"message":"url: may not be empty"}]}`},
	})
	err := newTestProvider(t, api.URL).SetStatus(t.Context(), event.CommitRef{Repo: "P/r", SHA: headSHA}, providers.Status{State: providers.StateSuccess, Context: "c"})
	if err == nil {
		t.Fatal("SetStatus() = nil, want the API's refusal")
	}
}

func TestComment(t *testing.T) {
	const path = "/rest/api/1.0/projects/PRJ/repos/my-repo/pull-requests/2/comments"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"POST " + path: {Status: http.StatusCreated, Body: `{"id":167,"version":0,"text":"hello","author":{"slug":"bot"}}`},
	})
	id, err := newTestProvider(t, api.URL).Comment(t.Context(), event.Target{Repo: "PRJ/my-repo", Number: 2}, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if id != "167" {
		t.Errorf("id = %q, want 167", id)
	}
	got := api.Only(t, http.MethodPost, path)
	// go-scm also sends "version": 0, which Bitbucket ignores on create.
	if diff := cmp.Diff(map[string]any{"text": "hello", "version": float64(0)}, got.JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestChangedFiles(t *testing.T) {
	const path = "/rest/api/1.0/projects/PRJ/repos/my-repo/pull-requests/2/changes"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?limit=100&start=0": {Status: http.StatusOK, Body: `{"values":[
			{"path":{"toString":"README.md"},"type":"MODIFY"},
			{"path":{"toString":"new/name.go"},"srcPath":{"toString":"old/name.go"},"type":"MOVE"}],
			"size":2,"isLastPage":false,"start":0,"limit":100,"nextPageStart":100}`},
		"GET " + path + "?limit=100&start=100": {Status: http.StatusOK, Body: `{"values":[
			{"path":{"toString":"gone.txt"},"type":"DELETE"}],"size":1,"isLastPage":true,"start":100,"limit":100}`},
	})
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: "PRJ/my-repo"}, Number: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"README.md", "new/name.go", "old/name.go", "gone.txt"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// TestChangedFilesUnreachable: go-scm's own ListChanges panics here.
func TestChangedFilesUnreachable(t *testing.T) {
	p := newTestProvider(t, "http://127.0.0.1:1")
	if _, err := p.ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: "PRJ/my-repo"}, Number: 2}); err == nil {
		t.Fatal("ChangedFiles() = nil error for an unreachable server")
	}
}

func TestCompletePullRequest(t *testing.T) {
	const path = "/rest/api/1.0/projects/PRJ/repos/my-repo/pull-requests/2"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path: {Status: http.StatusOK, Body: `{"id":2,"title":"Add x","state":"OPEN","open":true,
			"author":{"user":{"slug":"jcitizen"}},
			"fromRef":{"id":"refs/heads/develop","displayId":"develop","latestCommit":"` + headSHA + `","repository":{"slug":"my-repo","project":{"key":"PRJ"}}},
			"toRef":{"id":"refs/heads/main","displayId":"main","latestCommit":"823b2230a56056231c9425d63758fa87078a66b4","repository":{"slug":"my-repo","project":{"key":"PRJ"}}}}`},
	})
	in := event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: "PRJ/my-repo"}, Number: 2}
	got, err := newTestProvider(t, api.URL).CompletePullRequest(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.BaseRef, want.BaseSHA, want.HeadRef, want.HeadSHA, want.Author = "main", "823b2230a56056231c9425d63758fa87078a66b4", "develop", headSHA, "jcitizen"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
}

func TestChangedFilesOfAPush(t *testing.T) {
	const (
		path = "/rest/api/1.0/projects/PRJ/repos/my-repo/compare/changes"
		old  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	)
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?from=" + headSHA + "&limit=100&start=0&to=" + old: {Status: http.StatusOK, Body: `{"values":[
			{"path":{"toString":"docs/a.md"},"type":"MODIFY"}],"size":1,"isLastPage":true,"start":0,"limit":100}`},
	})
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "PRJ/my-repo"}, Ref: "refs/heads/main", BaseSHA: old, HeadSHA: headSHA, FilesUnlisted: true}
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), push)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"docs/a.md"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	push.BaseSHA = "0000000000000000000000000000000000000000" // a new branch
	if _, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), push); !errors.Is(err, event.ErrFilesUnknown) {
		t.Errorf("new branch: err = %v, want ErrFilesUnknown", err)
	}
}

// TestChangedFilesOfAPushUnreachable: go-scm's own CompareCommits panics here.
func TestChangedFilesOfAPushUnreachable(t *testing.T) {
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "PRJ/my-repo"}, BaseSHA: "a1", HeadSHA: headSHA, FilesUnlisted: true}
	if _, err := newTestProvider(t, "http://127.0.0.1:1").ChangedFiles(t.Context(), push); err == nil {
		t.Fatal("ChangedFiles() = nil error for an unreachable server")
	}
}
