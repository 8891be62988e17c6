package inrepo_test

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/github"
)

// contentsAPI answers GitHub's contents API (GET
// /repos/{owner}/{repo}/contents/{path}?ref={sha}) from a file tree that
// stands for the repository at one commit, in GitHub's
// shapes: a file as base64 wrapped at 60 columns, a directory as an array
// of entries, anything else 404. Setting fail answers 500.
type contentsAPI struct {
	*httptest.Server
	root      fs.FS
	repo, sha string

	mu    sync.Mutex
	calls []string
	fail  bool
}

func newContentsAPI(t testing.TB, root fs.FS, repo, sha string) *contentsAPI {
	t.Helper()
	a := &contentsAPI{root: root, repo: repo, sha: sha}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *contentsAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.calls = append(a.calls, r.URL.Path)
	fail := a.fail
	a.mu.Unlock()
	prefix := "/repos/" + a.repo + "/contents/"
	p, ok := strings.CutPrefix(r.URL.Path, prefix)
	switch {
	case fail:
		answer(w, http.StatusInternalServerError, map[string]string{"message": "Server Error"})
		return
	case !ok || r.URL.Query().Get("ref") != a.sha:
		answer(w, http.StatusNotFound, notFound)
		return
	}
	p = cmp.Or(strings.Trim(p, "/"), ".")
	info, err := fs.Stat(a.root, p)
	switch {
	case err != nil:
		answer(w, http.StatusNotFound, notFound)
	case info.IsDir():
		answer(w, http.StatusOK, a.listing(p))
	default:
		answer(w, http.StatusOK, a.file(p))
	}
}

var notFound = map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content", "status": "404"}

func (a *contentsAPI) file(p string) map[string]any {
	data, _ := fs.ReadFile(a.root, p)
	enc := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(enc) > 60 {
		lines, enc = append(lines, enc[:60]), enc[60:]
	}
	e := a.entry(p, "file", len(data))
	e["content"], e["encoding"] = strings.Join(append(lines, enc), "\n")+"\n", "base64"
	return e
}

func (a *contentsAPI) listing(dir string) []map[string]any {
	entries, _ := fs.ReadDir(a.root, dir)
	out := []map[string]any{}
	for _, e := range entries {
		typ, size := "file", 0
		if e.IsDir() {
			typ = "dir"
		} else if info, err := e.Info(); err == nil {
			size = int(info.Size())
		}
		out = append(out, a.entry(path.Join(dir, e.Name()), typ, size))
	}
	return out
}

func (a *contentsAPI) entry(p, typ string, size int) map[string]any {
	self := "https://api.github.com/repos/" + a.repo + "/contents/" + p + "?ref=" + a.sha
	return map[string]any{
		"name": path.Base(p), "path": p, "sha": "0123456789abcdef0123456789abcdef01234567", "size": size, "type": typ,
		"url": self, "html_url": "https://github.com/" + a.repo + "/blob/" + a.sha + "/" + p,
		"_links": map[string]string{"self": self},
	}
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Calls returns the paths asked for so far.
func (a *contentsAPI) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

func (a *contentsAPI) setFail(fail bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fail = fail
}

// provider is a GitHub provider on api: its ContentReader is what is tested.
func (a *contentsAPI) provider(t testing.TB) *github.Provider {
	t.Helper()
	p, err := github.New(github.Options{Secret: []byte("s"), URL: a.URL, Token: "ghp_test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
