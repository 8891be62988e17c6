package gitlab

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const (
	nestedRepo = "a/b/c"
	headSHA    = "c4c79227ed610f1151f05bbc5be33b4f340d39c8"
	statusPath = "/api/v4/projects/a%2Fb%2Fc/statuses/" + headSHA
)

func TestSetStatus(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"POST " + statusPath: {Status: http.StatusCreated, Body: `{"id":1,"sha":"` + headSHA + `","status":"running","name":"ci/unit"}`},
	})
	p := newTestProvider(t, api.URL)
	status := providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job triggered.", TargetURL: "https://dash.example.com/run/1"}
	if err := p.SetStatus(t.Context(), event.CommitRef{Repo: nestedRepo, SHA: headSHA, Number: 7}, status); err != nil {
		t.Fatal(err)
	}
	got := api.Only(t, http.MethodPost, statusPath)
	if got.Auth != "Bearer glpat-test" {
		t.Errorf("Authorization = %q", got.Auth)
	}
	want := map[string]any{"state": "running", "name": "ci/unit", "description": "Job triggered.", "target_url": "https://dash.example.com/run/1"}
	if diff := cmp.Diff(want, got.JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestSetStatusAnswers(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantErr bool
	}{
		{name: "re-posted running is done", reply: providertest.Reply{Status: http.StatusBadRequest, Body: `{"message":"Cannot transition status via :run from :running (Reason(s): Status cannot transition via \"run\")"}`}},
		{name: "re-posted pending is done", reply: providertest.Reply{Status: http.StatusBadRequest, Body: `{"message":"Cannot transition status via :enqueue from :pending"}`}},
		{name: "another 400 is an error", reply: providertest.Reply{Status: http.StatusBadRequest, Body: `{"message":"state does not have a valid value"}`}, wantErr: true},
		{name: "unknown commit is an error", reply: providertest.Reply{Status: http.StatusNotFound, Body: `{"message":"404 References for commit Not Found"}`}, wantErr: true},
		{name: "forbidden is an error", reply: providertest.Reply{Status: http.StatusForbidden, Body: `{"message":"403 Forbidden"}`}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + statusPath: tc.reply})
			p := newTestProvider(t, api.URL)
			status := providers.Status{State: providers.StateSuccess, Context: "ci/unit"}
			err := p.SetStatus(t.Context(), event.CommitRef{Repo: nestedRepo, SHA: headSHA}, status)
			if (err != nil) != tc.wantErr {
				t.Fatalf("SetStatus() error = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestComment(t *testing.T) {
	const path = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7/notes"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"POST " + path: {Status: http.StatusCreated, Body: `{"id":1244,"body":"hello","author":{"username":"fresnel-bot"}}`},
	})
	p := newTestProvider(t, api.URL)
	id, err := p.Comment(t.Context(), event.Target{Repo: nestedRepo, Number: 7}, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if id != "1244" {
		t.Errorf("id = %q, want 1244", id)
	}
	got := api.Only(t, http.MethodPost, path)
	if diff := cmp.Diff(map[string]any{"body": "hello"}, got.JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestChangedFiles(t *testing.T) {
	const path = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7/diffs"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK,
			Header: http.Header{"Link": {`<http://gitlab.example.com/api/v4/projects/a%2Fb%2Fc/merge_requests/7/diffs?page=2&per_page=100>; rel="next"`}},
			Body:   `[{"old_path":"README.md","new_path":"README.md"},{"old_path":"old/name.go","new_path":"new/name.go","renamed_file":true}]`},
		"GET " + path + "?page=2&per_page=100": {Status: http.StatusOK,
			Header: http.Header{"X-Next-Page": {""}},
			Body:   `[{"old_path":"gone.txt","new_path":"gone.txt","deleted_file":true}]`},
	})
	p := newTestProvider(t, api.URL)
	files, err := p.ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: nestedRepo}, Number: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"README.md", "new/name.go", "old/name.go", "gone.txt"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if n := len(api.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestChangedFilesNextPageHeader(t *testing.T) {
	const path = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7/diffs"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?page=1&per_page=100": {Status: http.StatusOK, Header: http.Header{"X-Next-Page": {"2"}}, Body: `[{"old_path":"a","new_path":"a"}]`},
		"GET " + path + "?page=2&per_page=100": {Status: http.StatusOK, Body: `[{"old_path":"b","new_path":"b"}]`},
	})
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: nestedRepo}, Number: 7})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestCompletePullRequest(t *testing.T) {
	const path = "/api/v4/projects/a%2Fb%2Fc/merge_requests/7"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path: {Status: http.StatusOK, Body: `{"iid":7,"title":"Add x","state":"opened","sha":"` + headSHA + `",
			"source_branch":"feature","target_branch":"release-1.0","draft":true,"author":{"username":"alice"},
			"source_project_id":2,"target_project_id":1,"web_url":"https://gitlab.example.com/a/b/c/-/merge_requests/7"}`},
	})
	p := newTestProvider(t, api.URL)
	in := event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: nestedRepo}, Number: 7}
	got, err := p.CompletePullRequest(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.BaseRef, want.HeadRef, want.HeadSHA, want.Draft, want.Author = "release-1.0", "feature", headSHA, true, "alice"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if n := len(api.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (no project look-ups)", n)
	}
}

func TestChangedFilesOfALargePush(t *testing.T) {
	const (
		head = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
		old  = "95790bf891e76fee5e1747ab589903a6a1f80f22"
		path = "/api/v4/projects/a%2Fb%2Fc/repository/compare"
	)
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + path + "?from=" + old + "&to=" + head: {Status: http.StatusOK,
			Body: `{"commit":{"id":"` + head + `"},"commits":[],"diffs":[{"old_path":"docs/a.md","new_path":"docs/a.md"},{"old_path":"x.go","new_path":"y.go","renamed_file":true}]}`},
	})
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: nestedRepo}, Ref: "refs/heads/main", BaseSHA: old, HeadSHA: head, FilesUnlisted: true}
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), push)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"docs/a.md", "y.go", "x.go"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if n := len(api.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
