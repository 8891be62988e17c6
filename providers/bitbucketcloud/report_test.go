package bitbucketcloud

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const (
	headSHA    = "d3022fc0ca3d"
	statusPath = "/2.0/repositories/o/r/commit/" + headSHA + "/statuses/build"
)

var statusReply = providertest.Reply{Status: http.StatusCreated, Body: `{"type":"commitstatus","state":"INPROGRESS"}`}

func TestSetStatus(t *testing.T) {
	long := "pull-request/integration-tests-against-postgres-16"
	tests := []struct {
		name   string
		status providers.Status
		want   map[string]any
	}{
		{
			name:   "short context is the key",
			status: providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job triggered.", TargetURL: "https://dash.example.com/run/1"},
			want:   map[string]any{"key": "ci/unit", "name": "ci/unit", "state": "INPROGRESS", "url": "https://dash.example.com/run/1", "description": "Job triggered."},
		},
		{
			name:   "long context fits the key, keeps the name",
			status: providers.Status{State: providers.StateSuccess, Context: long, TargetURL: "https://dash.example.com/run/2"},
			want:   map[string]any{"key": statusKey(long), "name": long, "state": "SUCCESSFUL", "url": "https://dash.example.com/run/2"},
		},
		{
			name:   "error is failed",
			status: providers.Status{State: providers.StateError, Context: "ci/unit", TargetURL: "https://dash.example.com/run/3"},
			want:   map[string]any{"key": "ci/unit", "name": "ci/unit", "state": "FAILED", "url": "https://dash.example.com/run/3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + statusPath: statusReply})
			p := newTestProvider(t, api.URL)
			if err := p.SetStatus(t.Context(), event.CommitRef{Repo: "o/r", SHA: headSHA, Number: 1}, tc.status); err != nil {
				t.Fatal(err)
			}
			got := api.Only(t, http.MethodPost, statusPath)
			if got.Auth != "Bearer bb-token" {
				t.Errorf("Authorization = %q", got.Auth)
			}
			body := got.JSON(t)
			if key := body["key"].(string); len(key) > maxKey {
				t.Errorf("key %q is %d characters, over %d", key, len(key), maxKey)
			}
			if diff := cmp.Diff(tc.want, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetStatusWithoutLink(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{"POST " + statusPath: statusReply})
	p := newTestProvider(t, api.URL)
	if err := p.SetStatus(t.Context(), event.CommitRef{Repo: "o/r", SHA: headSHA}, providers.Status{State: providers.StateSuccess, Context: "ci/unit"}); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(api.URL, "http://")
	if got := api.Requests()[0].JSON(t)["url"]; got != "http://"+want+"/o/r/commits/"+headSHA {
		t.Errorf("url = %v, want the commit page", got)
	}
}

func TestStatusKey(t *testing.T) {
	a := statusKey("pull-request/integration-tests-against-postgres-16")
	b := statusKey("pull-request/integration-tests-against-postgres-17")
	if len(a) != maxKey || len(b) != maxKey || a == b {
		t.Fatalf("statusKey gave %q and %q: want two different %d-character keys", a, b, maxKey)
	}
	if !strings.HasPrefix(a, "pull-request/integration-tests") {
		t.Errorf("key %q lost the context's start", a)
	}
	if exact := strings.Repeat("x", maxKey); statusKey(exact) != exact {
		t.Errorf("a %d-character context was changed", maxKey)
	}
}

func TestComment(t *testing.T) {
	const path = "/2.0/repositories/o/r/pullrequests/3/comments"
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"POST " + path: {Status: http.StatusCreated, Body: `{"id":5,"content":{"raw":"hello"},"user":{"account_id":"bot"}}`},
	})
	id, err := newTestProvider(t, api.URL).Comment(t.Context(), event.Target{Repo: "o/r", Number: 3}, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if id != "5" {
		t.Errorf("id = %q, want 5", id)
	}
	got := api.Only(t, http.MethodPost, path)
	if diff := cmp.Diff(map[string]any{"content": map[string]any{"raw": "hello"}}, got.JSON(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestChangedFiles(t *testing.T) {
	const path = "/2.0/repositories/o/r/pullrequests/3/diffstat"
	replies := map[string]providertest.Reply{}
	api := providertest.NewAPI(t, replies)
	replies["GET "+path+"?page=1&pagelen=100"] = providertest.Reply{Status: http.StatusOK, Body: `{"values":[
		{"status":"modified","old":{"path":"README.md"},"new":{"path":"README.md"}},
		{"status":"renamed","old":{"path":"old/name.go"},"new":{"path":"new/name.go"}}],
		"page":1,"next":"` + api.URL + path + `?page=2&pagelen=100"}`}
	replies["GET "+path+"?page=2&pagelen=100"] = providertest.Reply{Status: http.StatusOK, Body: `{"values":[
		{"status":"removed","old":{"path":"gone.txt"},"new":null},
		{"status":"added","old":null,"new":{"path":"added.txt"}}],"page":2}`}
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: "o/r"}, Number: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"README.md", "new/name.go", "old/name.go", "gone.txt", "added.txt"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestCompletePullRequest(t *testing.T) {
	const path = "/2.0/repositories/o/r/pullrequests/3"
	replies := map[string]providertest.Reply{}
	api := providertest.NewAPI(t, replies)
	replies["GET "+path] = providertest.Reply{Status: http.StatusOK, Body: `{"id":3,"title":"Add x","state":"OPEN",
		"author":{"account_id":"alice-id","nickname":"alice"},
		"source":{"branch":{"name":"feature"},"commit":{"hash":"` + headSHA + `"},"repository":{"full_name":"o/r"}},
		"destination":{"branch":{"name":"main"},"commit":{"hash":"ce5965ddd289"},"repository":{"full_name":"o/r"}},
		"links":{"diffstat":{"href":"` + api.URL + path + `/diffstat"}}}`}
	// go-scm's Find also reads the diffstat to tell mergeability.
	replies["GET "+path+"/diffstat"] = providertest.Reply{Status: http.StatusOK, Body: `{"values":[]}`}
	in := event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: "o/r"}, Number: 3}
	got, err := newTestProvider(t, api.URL).CompletePullRequest(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.BaseRef, want.BaseSHA, want.HeadRef, want.HeadSHA, want.Author = "main", "ce5965ddd289", "feature", headSHA, "alice-id"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
}

func TestChangedFilesOfAPush(t *testing.T) {
	const (
		head = "141977fedf5cf35aa290ac87d4b5177ac4cd9de1"
		old  = "40e7580cf11311d84a6e5e97e2cbba6df1675750"
		path = "/2.0/repositories/o/r/diffstat/" + head + ".." + old
	)
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		// go-scm asks its git service for pages of 50.
		"GET " + path + "?page=1&pagelen=50": {Status: http.StatusOK, Body: `{"values":[
			{"status":"modified","old":{"path":"src/a.go"},"new":{"path":"src/a.go"}}],"page":1}`},
	})
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "o/r"}, Ref: "refs/heads/main", BaseSHA: old, HeadSHA: head, FilesUnlisted: true}
	files, err := newTestProvider(t, api.URL).ChangedFiles(t.Context(), push)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"src/a.go"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
