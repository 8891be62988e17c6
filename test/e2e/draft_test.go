package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// asDraft marks the pull request of a pull_request delivery as a draft.
func asDraft(t *testing.T, body []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	m["pull_request"].(map[string]any)["draft"] = true
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDraftWaitsForReadyForReview: a draft starts nothing until it is
// marked ready for review, as in Prow, also with Lighthouse's
// skip_draft_pr set; plugins.yaml is hot-reloaded.
func TestDraftWaitsForReadyForReview(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := strings.Replace(githubSettings(ns, gh.URL), "  config: config.yaml\n", "  config: config.yaml\n  plugins: plugins.yaml\n", 1)
	files := map[string]string{
		"config.yaml":  jobsConfig,
		"plugins.yaml": "plugins:\n  acme: [trigger]\ntriggers:\n- repos: [acme]\n  skip_draft_pr: true\n",
		"github-hmac":  string(githubSecret),
		"github-token": "ghp_e2e",
	}
	f := startFresnelFiles(t, stack.Kubeconfig, settings, files)
	gh.GitHubPullRequest(repo, 9, headSHA, "main", []string{"main.go"})

	deliver := func(delivery string, body []byte) hookAnswer {
		t.Helper()
		status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", delivery, githubSecret, body), body)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d answer %+v", delivery, status, ans)
		}
		return ans
	}
	opened := deliver("draft-opened", asDraft(t, harness.GitHubPullRequestEvent("opened", repo, 9, headSHA, "main")))
	if len(opened.Runs) != 0 || len(opened.Skipped) == 0 || !strings.Contains(opened.Skipped[0].Reason, "draft") {
		t.Fatalf("draft opened: answer %+v, want every job skipped as a draft", opened)
	}
	if n := len(listRuns(t, ns)); n != 0 {
		t.Fatalf("draft opened created %d PipelineRuns", n)
	}

	ready := deliver("draft-ready", harness.GitHubPullRequestEvent("ready_for_review", repo, 9, headSHA, "main"))
	if got := strings.Join(runNames(ready), ","); got != "lint,unit" {
		t.Fatalf("ready for review ran %q, want lint,unit", got)
	}
	if n := len(listRuns(t, ns)); n != 2 {
		t.Fatalf("PipelineRuns after ready for review = %d, want 2", n)
	}

	// plugins.yaml is reloaded like the job files: once the trigger is no
	// longer enabled for the repository, a new pull request runs nothing.
	if err := os.WriteFile(filepath.Join(f.Dir, "plugins.yaml"), []byte("plugins:\n  acme/other: [trigger]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 10
	waitFor(t, "plugins.yaml reloaded", func() bool {
		n++
		gh.GitHubPullRequest(repo, n, headSHA, "main", []string{"main.go"})
		body := harness.GitHubPullRequestEvent("opened", repo, n, headSHA, "main")
		return len(deliver(fmt.Sprintf("reloaded-%d", n), body).Runs) == 0
	})
}
