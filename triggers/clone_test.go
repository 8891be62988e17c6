package triggers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCloneDirAndWorkDir(t *testing.T) {
	tests := []struct {
		name        string
		refs        []Refs
		wantDir     string
		wantWorkDir string
	}{
		{name: "link without scheme", refs: []Refs{{Org: "o", Repo: "r", RepoLink: "https://gitlab.example.com/group/sub/r"}},
			wantDir: "/home/prow/go/src/gitlab.example.com/group/sub/r", wantWorkDir: "/home/prow/go/src/gitlab.example.com/group/sub/r"},
		{name: "path alias wins", refs: []Refs{{Org: "o", Repo: "r", RepoLink: "https://github.com/o/r", PathAlias: "k8s.io/r"}},
			wantDir: "/home/prow/go/src/k8s.io/r", wantWorkDir: "/home/prow/go/src/k8s.io/r"},
		{name: "no link: host of the clone URI", refs: []Refs{{Org: "o", Repo: "r", CloneURI: "https://git.example.com/o/r.git"}},
			wantDir: "/home/prow/go/src/git.example.com/o/r", wantWorkDir: "/home/prow/go/src/git.example.com/o/r"},
		{name: "nothing: github.com", refs: []Refs{{Org: "o", Repo: "r"}},
			wantDir: "/home/prow/go/src/github.com/o/r", wantWorkDir: "/home/prow/go/src/github.com/o/r"},
		{name: "workdir picks an extra ref", refs: []Refs{{Org: "o", Repo: "r"}, {Org: "o", Repo: "tools"}, {Org: "o", Repo: "docs", WorkDir: true}},
			wantDir: "/home/prow/go/src/github.com/o/r", wantWorkDir: "/home/prow/go/src/github.com/o/docs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CloneDir(CodeRoot, tc.refs[0]); got != tc.wantDir {
				t.Errorf("CloneDir = %q, want %q", got, tc.wantDir)
			}
			if got := WorkDir(CodeRoot, tc.refs); got != tc.wantWorkDir {
				t.Errorf("WorkDir = %q, want %q", got, tc.wantWorkDir)
			}
		})
	}
}

// gitRepos holds the bare repositories a clone test fetches from.
type gitRepos struct {
	dir                          string
	base, later, pull, tool, odd string // commit SHAs
}

// runGit runs git in dir with a configuration of the test's own.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

func gitEnv(t *testing.T) []string {
	home := filepath.Join(os.TempDir(), "fresnel-clone-test-home")
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
}

func commitFile(t *testing.T, dir, name, when string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "add", name)
	runGit(t, dir, "-c", "user.name=t", "commit", "-q", "-m", "add "+name, "--date", when)
	return runGit(t, dir, "rev-parse", "HEAD")
}

// newGitRepos makes org/repo.git (main: base, then later; a pull request
// head on refs/pull/7/head; a branch named it's) and org/tools.git.
func newGitRepos(t *testing.T) gitRepos {
	t.Helper()
	r := gitRepos{dir: t.TempDir()}
	work := filepath.Join(r.dir, "work")
	runGit(t, r.dir, "init", "-q", "-b", "main", work)
	r.base = commitFile(t, work, "base.txt", "2026-01-01T00:00:00Z")
	runGit(t, work, "checkout", "-q", "-b", "feature")
	r.pull = commitFile(t, work, "pr.txt", "2026-01-02T00:00:00Z")
	runGit(t, work, "checkout", "-q", "-b", "it's", r.base)
	r.odd = commitFile(t, work, "odd.txt", "2026-01-03T00:00:00Z")
	runGit(t, work, "checkout", "-q", "main")
	r.later = commitFile(t, work, "later.txt", "2026-01-04T00:00:00Z")
	runGit(t, r.dir, "clone", "-q", "--bare", work, filepath.Join(r.dir, "repo.git"))
	runGit(t, filepath.Join(r.dir, "repo.git"), "update-ref", "refs/pull/7/head", r.pull)

	tools := filepath.Join(r.dir, "tools")
	runGit(t, r.dir, "init", "-q", "-b", "main", tools)
	commitFile(t, tools, "tool.txt", "2026-01-01T00:00:00Z")
	r.tool = commitFile(t, tools, "tool2.txt", "2026-01-02T00:00:00Z")
	runGit(t, r.dir, "clone", "-q", "--bare", tools, filepath.Join(r.dir, "tools.git"))
	return r
}

func (r gitRepos) url(name string) string { return "file://" + filepath.Join(r.dir, name+".git") }

// runClone runs the generated script with sh under a fresh root.
func runClone(t *testing.T, refs []Refs) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "go")
	cmd := exec.Command("sh", "-c", CloneScript(root, refs))
	cmd.Env = gitEnv(t)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("clone script: %v\n%s\nscript:\n%s", err, out, CloneScript(root, refs))
	}
	return root
}

func trackedFiles(t *testing.T, dir string) []string {
	t.Helper()
	return strings.Fields(runGit(t, dir, "ls-files"))
}

func TestCloneScriptMergesThePullRequestAndClonesExtraRefs(t *testing.T) {
	repos := newGitRepos(t)
	refs := []Refs{
		{Org: "org", Repo: "repo", RepoLink: "https://example.com/org/repo", CloneURI: repos.url("repo"),
			BaseRef: "main", BaseSHA: repos.base, Pulls: []Pull{{Number: 7, SHA: repos.pull, Ref: "refs/pull/7/head"}}},
		{Org: "org", Repo: "tools", CloneURI: repos.url("tools"), BaseRef: "main", PathAlias: "example.com/tools",
			WorkDir: true, CloneDepth: 1, SkipSubmodules: true},
	}
	root := runClone(t, refs)
	main := filepath.Join(root, "src", "example.com", "org", "repo")
	tools := filepath.Join(root, "src", "example.com", "tools")

	t.Run("the base at its SHA with the pull request merged", func(t *testing.T) {
		if diff := cmp.Diff([]string{"base.txt", "pr.txt"}, trackedFiles(t, main)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if got, want := runGit(t, main, "log", "-1", "--format=%P"), repos.base+" "+repos.pull; got != want {
			t.Errorf("HEAD parents = %q, want the base then the pull request %q", got, want)
		}
		if got := runGit(t, main, "rev-parse", "--abbrev-ref", "HEAD"); got != "main" {
			t.Errorf("checked out %q, want the branch main", got)
		}
	})
	t.Run("the extra ref at its path alias, shallow, and the working directory", func(t *testing.T) {
		if diff := cmp.Diff([]string{"tool.txt", "tool2.txt"}, trackedFiles(t, tools)); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if got := runGit(t, tools, "rev-parse", "HEAD"); got != repos.tool {
			t.Errorf("tools HEAD = %s, want the tip of main %s", got, repos.tool)
		}
		if got := runGit(t, tools, "rev-parse", "--is-shallow-repository"); got != "true" {
			t.Errorf("clone_depth 1: shallow = %s, want true", got)
		}
		if got := WorkDir(root, refs); got != tools {
			t.Errorf("WorkDir = %q, want the extra ref marked workdir %q", got, tools)
		}
	})
	t.Run("the same merge commit on every run", func(t *testing.T) {
		again := filepath.Join(runClone(t, refs), "src", "example.com", "org", "repo")
		if a, b := runGit(t, main, "rev-parse", "HEAD"), runGit(t, again, "rev-parse", "HEAD"); a != b {
			t.Errorf("two clones merged to %s and %s, want one commit", a, b)
		}
	})
}

func TestCloneScriptRefs(t *testing.T) {
	repos := newGitRepos(t)
	tests := []struct {
		name      string
		refs      func() Refs
		wantFiles []string
		wantHead  func() string
	}{
		{name: "base by ref only: its tip",
			refs:      func() Refs { return Refs{Org: "org", Repo: "repo", CloneURI: repos.url("repo"), BaseRef: "main"} },
			wantFiles: []string{"base.txt", "later.txt"}, wantHead: func() string { return repos.later }},
		{name: "a pull request fetched by its SHA",
			refs: func() Refs {
				return Refs{Org: "org", Repo: "repo", CloneURI: repos.url("repo"), BaseRef: "main", BaseSHA: repos.later,
					Pulls: []Pull{{Number: 7, SHA: repos.pull}}}
			},
			wantFiles: []string{"base.txt", "later.txt", "pr.txt"}},
		{name: "a branch name that needs quoting",
			refs:      func() Refs { return Refs{Org: "org", Repo: "repo", CloneURI: repos.url("repo"), BaseRef: "it's"} },
			wantFiles: []string{"base.txt", "odd.txt"}, wantHead: func() string { return repos.odd }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs := tc.refs()
			dir := CloneDir(runClone(t, []Refs{refs}), refs)
			if diff := cmp.Diff(tc.wantFiles, trackedFiles(t, dir)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if got := runGit(t, dir, "rev-parse", "--abbrev-ref", "HEAD"); got != refs.BaseRef {
				t.Errorf("checked out %q, want the branch %q", got, refs.BaseRef)
			}
			if tc.wantHead != nil {
				if got := runGit(t, dir, "rev-parse", "HEAD"); got != tc.wantHead() {
					t.Errorf("HEAD = %s, want %s", got, tc.wantHead())
				}
			}
		})
	}
}

func TestCloneScriptFailsOnAMissingCommit(t *testing.T) {
	repos := newGitRepos(t)
	refs := []Refs{{Org: "org", Repo: "repo", CloneURI: repos.url("repo"), BaseRef: "main",
		BaseSHA: "0123456789abcdef0123456789abcdef01234567", SkipFetchHead: true}}
	cmd := exec.Command("sh", "-c", strings.Replace(CloneScript(t.TempDir(), refs), "for delay in 1 2 4 8", "for delay in", 1))
	cmd.Env = gitEnv(t)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("the script succeeded without the base commit:\n%s", out)
	}
}
