package gerrit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// request is one call the fake Gerrit received.
type request struct {
	Method, Path, User, Password, Cookie string
	Body                                 map[string]any
}

// fakeGerrit answers every call with the next of responses (the last one
// repeats) and records what it was sent.
type fakeGerrit struct {
	mu        sync.Mutex
	requests  []request
	responses []response
}

type response struct {
	status int
	body   []byte
}

func startGerrit(t *testing.T, responses ...response) (*fakeGerrit, *httptest.Server) {
	f := &fakeGerrit{responses: responses}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGerrit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := request{Method: r.Method, Path: r.URL.EscapedPath()}
	rec.User, rec.Password, _ = r.BasicAuth()
	if c, err := r.Cookie("GerritAccount"); err == nil {
		rec.Cookie = c.Value
	}
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		_ = json.Unmarshal(data, &rec.Body)
	}
	res := f.responses[min(len(f.requests), len(f.responses)-1)]
	f.requests = append(f.requests, rec)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

func (f *fakeGerrit) sent() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func restSample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(providertest.RepoRoot(), "test", "testdata", "webhooks", "gerrit-rest", name))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), ")]}'\n") {
		t.Fatalf("%s: recorded response lost its )]}' line", name)
	}
	return data
}

func reporter(t *testing.T, srv *httptest.Server, opts Options) *Provider {
	opts.URL, opts.Username, opts.Token = srv.URL, "fresnel-ci", "http-password"
	return newTestProvider(t, opts)
}

const testSHA = "e135bd7a83994d008b587e166186a95e200dd4b7"

func TestSetStatus(t *testing.T) {
	status := providers.Status{Context: "unit", Description: "all passed", TargetURL: "https://ci.example.com/runs/1"}
	reviewPath := "/a/changes/qt%2Fqtbase~30623/revisions/" + testSHA + "/review"
	tests := []struct {
		name     string
		opts     Options
		state    providers.State
		combined providers.State
		moot     bool
		want     map[string]any
	}{
		{
			name: "success votes +1", state: providers.StateSuccess,
			want: reviewBody("Job unit: SUCCESS - all passed\n\nhttps://ci.example.com/runs/1", map[string]any{"Verified": 1.0}),
		},
		{
			name: "failure votes -1", state: providers.StateFailure,
			want: reviewBody("Job unit: FAILURE - all passed\n\nhttps://ci.example.com/runs/1", map[string]any{"Verified": -1.0}),
		},
		{
			name: "error votes the failure value", state: providers.StateError,
			opts: Options{VoteLabel: "CI", VoteSuccess: 2, VoteFailure: -2},
			want: reviewBody("Job unit: ERROR - all passed\n\nhttps://ci.example.com/runs/1", map[string]any{"CI": -2.0}),
		},
		{
			name: "pending posts a message only, notifying nobody", state: providers.StatePending,
			want: silent(reviewBody("Job unit: PENDING - all passed\n\nhttps://ci.example.com/runs/1", nil)),
		},
		{
			name: "a run cancelled as moot votes nothing, notifying nobody", state: providers.StateError, combined: providers.StateFailure, moot: true,
			want: silent(reviewBody("Job unit: ERROR - all passed\n\nhttps://ci.example.com/runs/1", nil)),
		},
		{
			name: "a success while other jobs run votes nothing", state: providers.StateSuccess, combined: providers.StatePending,
			want: reviewBody("Job unit: SUCCESS - all passed\n\nhttps://ci.example.com/runs/1", nil),
		},
		{
			name: "a success after another job failed keeps -1", state: providers.StateSuccess, combined: providers.StateFailure,
			want: reviewBody("Job unit: SUCCESS - all passed\n\nhttps://ci.example.com/runs/1", map[string]any{"Verified": -1.0}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := startGerrit(t, response{http.StatusOK, restSample(t, "set-review-response.json")})
			p := reporter(t, srv, tc.opts)
			s := status
			s.State, s.Combined, s.Moot = tc.state, tc.combined, tc.moot
			ref := event.CommitRef{Repo: "qt/qtbase", SHA: testSHA, Number: 30623}
			if err := p.SetStatus(t.Context(), ref, s); err != nil {
				t.Fatal(err)
			}
			want := []request{{Method: http.MethodPost, Path: reviewPath, User: "fresnel-ci", Password: "http-password", Body: tc.want}}
			if diff := cmp.Diff(want, f.sent()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func reviewBody(message string, labels map[string]any) map[string]any {
	body := map[string]any{"message": message, "tag": "autogenerated:fresnel"}
	if labels != nil {
		body["labels"] = labels
	}
	return body
}

func silent(body map[string]any) map[string]any {
	body["notify"] = "NONE"
	return body
}

func TestSetStatusVoteRefused(t *testing.T) {
	f, srv := startGerrit(t,
		response{http.StatusConflict, []byte("Cannot reduce vote on labels for closed change: Verified")},
		response{http.StatusOK, restSample(t, "set-review-response.json")})
	p := reporter(t, srv, Options{})
	ref := event.CommitRef{Repo: "proj", SHA: testSHA, Number: 123}
	if err := p.SetStatus(t.Context(), ref, providers.Status{State: providers.StateFailure, Context: "unit"}); err != nil {
		t.Fatal(err)
	}
	sent := f.sent()
	if len(sent) != 2 || sent[1].Body["labels"] != nil {
		t.Fatalf("sent %+v: want a second review without labels", sent)
	}
	if want := "Job unit: FAILURE\n\n(Gerrit refused the vote Verified: 409 Conflict)"; sent[1].Body["message"] != want {
		t.Errorf("message = %q, want %q", sent[1].Body["message"], want)
	}
}

func TestSetStatusErrors(t *testing.T) {
	f, srv := startGerrit(t, response{http.StatusForbidden, []byte("restricted")})
	p := reporter(t, srv, Options{})
	err := p.SetStatus(t.Context(), event.CommitRef{Repo: "proj", SHA: testSHA, Number: 1}, providers.Status{State: providers.StateSuccess, Context: "unit"})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("SetStatus() = %v, want a 403 error", err)
	}
	if err := p.SetStatus(t.Context(), event.CommitRef{Repo: "proj", Number: 1}, providers.Status{}); err == nil {
		t.Fatal("SetStatus() without a SHA = nil, want an error")
	}
	if err := p.SetStatus(t.Context(), event.CommitRef{Repo: "proj", SHA: testSHA}, providers.Status{}); err != nil {
		t.Fatalf("SetStatus() outside a change = %v, want nil (nothing to report on)", err)
	}
	if n := len(f.sent()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
}

func TestCookieAuth(t *testing.T) {
	f, srv := startGerrit(t, response{http.StatusOK, restSample(t, "set-review-response.json")})
	p := newTestProvider(t, Options{URL: srv.URL + "/", CookieName: "GerritAccount", Token: "cookie-value"})
	if _, err := p.Comment(t.Context(), event.Target{Repo: "proj", Number: 5}, "hello"); err != nil {
		t.Fatal(err)
	}
	want := []request{{Method: http.MethodPost, Path: "/a/changes/proj~5/revisions/current/review", Cookie: "cookie-value", Body: map[string]any{"message": "hello"}}}
	if diff := cmp.Diff(want, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestComment(t *testing.T) {
	f, srv := startGerrit(t, response{http.StatusOK, restSample(t, "set-review-response.json")})
	p := reporter(t, srv, Options{})
	id, err := p.Comment(t.Context(), event.Target{Repo: "storj/storj", Number: 119}, "/retest needs a job name")
	if err != nil || id != "" {
		t.Fatalf("Comment() = %q, %v; want \"\", nil", id, err)
	}
	want := []request{{
		Method: http.MethodPost, Path: "/a/changes/storj%2Fstorj~119/revisions/current/review",
		User: "fresnel-ci", Password: "http-password", Body: map[string]any{"message": "/retest needs a job name"},
	}}
	if diff := cmp.Diff(want, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestChangedFiles(t *testing.T) {
	files, err := os.ReadFile(filepath.Join("testdata", "list-files-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, srv := startGerrit(t, response{http.StatusOK, files})
	p := reporter(t, srv, Options{})
	ev := event.Event{Repo: event.Repo{FullName: "qt/qtbase"}, Number: 30623, HeadSHA: testSHA}
	got, err := p.ChangedFiles(t.Context(), ev)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{"docs/guide.md", "docs/old-guide.md", "src/main.go", "src/removed.go"}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := []request{{Method: http.MethodGet, Path: "/a/changes/qt%2Fqtbase~30623/revisions/" + testSHA + "/files/", User: "fresnel-ci", Password: "http-password"}}
	if diff := cmp.Diff(want, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestChangedFilesOfAPush(t *testing.T) {
	files, err := os.ReadFile(filepath.Join("testdata", "list-files-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, srv := startGerrit(t, response{http.StatusOK, files})
	p := reporter(t, srv, Options{})
	ev := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "qt/qtbase"}, Ref: "refs/heads/dev", HeadSHA: testSHA, FilesUnlisted: true}
	got, err := p.ChangedFiles(t.Context(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"docs/guide.md", "docs/old-guide.md", "src/main.go", "src/removed.go"}, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := []request{{Method: http.MethodGet, Path: "/a/projects/qt%2Fqtbase/commits/" + testSHA + "/files/", User: "fresnel-ci", Password: "http-password"}}
	if diff := cmp.Diff(want, f.sent()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestChangedFilesError(t *testing.T) {
	_, srv := startGerrit(t, response{http.StatusNotFound, []byte("Not found: 1")})
	p := reporter(t, srv, Options{})
	_, err := p.ChangedFiles(t.Context(), event.Event{Repo: event.Repo{FullName: "p"}, Number: 1})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("ChangedFiles() = %v, want a 404 error", err)
	}
}
