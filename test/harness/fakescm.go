package harness

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Call is one request an SCM stand-in received.
type Call struct {
	Method string
	Path   string
	Body   []byte
	// Auth is the Authorization header; User its Basic auth user, if any.
	Auth string
	User string
	// Status is the status code the stand-in answered.
	Status int
}

// FakeSCM stands in for an SCM's API on loopback: it records every call
// and answers from the handlers a test registers.
type FakeSCM struct {
	*httptest.Server
	mux   *http.ServeMux
	mu    sync.Mutex
	calls []Call
	// state holds members, labels and comments (state.go).
	state *scmState
	// checks holds a GitHub stand-in's check runs (github_app.go).
	checks *checkRunStore
}

// NewFakeSCM starts an SCM stand-in with no routes; unknown calls get 404.
func NewFakeSCM() *FakeSCM {
	f := &FakeSCM{mux: http.NewServeMux(), state: newSCMState()}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *FakeSCM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	user, _, _ := r.BasicAuth()
	call := Call{Method: r.Method, Path: r.URL.EscapedPath(), Body: body, Auth: r.Header.Get("Authorization"), User: user}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	f.mux.ServeHTTP(rec, r)
	call.Status = rec.status
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Handle registers a handler for a ServeMux pattern ("POST /repos/{o}/{r}/statuses/{sha}").
func (f *FakeSCM) Handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

// JSON registers a fixed JSON answer for a pattern.
func (f *FakeSCM) JSON(pattern string, status int, body string) {
	f.Handle(pattern, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

// reply writes v as a JSON answer with the given status.
func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Calls returns the calls received so far whose method and path prefix
// match (empty matches all).
func (f *FakeSCM) Calls(method, pathPrefix string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if (method == "" || c.Method == method) && strings.HasPrefix(c.Path, pathPrefix) {
			out = append(out, c)
		}
	}
	return out
}

// GitHubStatus is a commit status as GitHub's API takes it.
type GitHubStatus struct {
	Repo        string `json:"-"`
	SHA         string `json:"-"`
	State       string `json:"state"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

// NewFakeGitHub answers the GitHub REST calls fresnel makes, in GitHub's
// response shapes: commit statuses, comments (kept, listed, edited and
// deleted), labels, organization membership and collaborators (see
// SetMembers), a pull request and its files.
func NewFakeGitHub() *FakeSCM {
	f := NewFakeSCM()
	f.Handle("POST /repos/{owner}/{repo}/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		var s GitHubStatus
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &s)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": 1, "state": s.State, "context": s.Context, "description": s.Description,
			"target_url": s.TargetURL, "url": r.URL.String(),
		})
	})
	f.Handle("GET /repos/{owner}/{repo}/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, f.gitHubStatusesOf(r.PathValue("owner")+"/"+r.PathValue("repo"), r.PathValue("sha")))
	})
	f.state.nextID = 1001
	gitHubRoles(f)
	gitHubChecks(f)
	return f
}

// GitHubStatuses returns the commit statuses received, in order.
func (f *FakeSCM) GitHubStatuses() []GitHubStatus {
	var out []GitHubStatus
	for _, c := range f.Calls(http.MethodPost, "/repos/") {
		if !strings.Contains(c.Path, "/statuses/") {
			continue
		}
		var s GitHubStatus
		_ = json.Unmarshal(c.Body, &s)
		repo, sha, _ := strings.Cut(strings.TrimPrefix(c.Path, "/repos/"), "/statuses/")
		s.Repo, s.SHA = repo, sha
		out = append(out, s)
	}
	return out
}

// gitHubStatusesOf lists the statuses received for a commit as GitHub
// lists them: newest first.
func (f *FakeSCM) gitHubStatusesOf(repo, sha string) []map[string]any {
	out := []map[string]any{}
	for _, s := range slices.Backward(f.GitHubStatuses()) {
		if s.Repo == repo && s.SHA == sha {
			out = append(out, map[string]any{"state": s.State, "context": s.Context, "description": s.Description, "target_url": s.TargetURL})
		}
	}
	return out
}

// GitHubPullRequest registers GET answers for pull request number of repo
// (owner/name): the pull request with the given head SHA and base branch,
// and its changed files.
func (f *FakeSCM) GitHubPullRequest(repo string, number int, headSHA, baseRef string, files []string) {
	pr := map[string]any{
		"number": number, "state": "open", "title": "change", "draft": false,
		"html_url": "https://github.com/" + repo + "/pull/" + strconv.Itoa(number),
		"user":     map[string]any{"login": "octocat"},
		"head":     map[string]any{"ref": "feature", "sha": headSHA, "repo": map[string]any{"full_name": repo}},
		"base":     map[string]any{"ref": baseRef, "sha": "0000000000000000000000000000000000000001", "repo": map[string]any{"full_name": repo}},
	}
	prJSON, _ := json.Marshal(pr)
	f.JSON("GET /repos/"+repo+"/pulls/"+strconv.Itoa(number), http.StatusOK, string(prJSON))
	list := make([]map[string]any, 0, len(files))
	for _, name := range files {
		list = append(list, map[string]any{"filename": name, "status": "modified", "additions": 1, "deletions": 0, "changes": 1})
	}
	filesJSON, _ := json.Marshal(list)
	f.JSON("GET /repos/"+repo+"/pulls/"+strconv.Itoa(number)+"/files", http.StatusOK, string(filesJSON))
}
