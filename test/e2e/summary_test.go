package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// summaryJobs has a passing job, a job that fails at once and one that
// fails a few seconds later, so the summary comment changes after it is
// first written.
const summaryJobs = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - {name: unit, taskSpec: {steps: [{name: test, image: busybox, script: exit 0}]}}
  - name: lint
    always_run: true
    annotations:
      fresnel.dev/test-exit-code: "1"
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - {name: lint, taskSpec: {steps: [{name: lint, image: busybox, script: exit 1}]}}
  - name: vet
    always_run: true
    annotations:
      fresnel.dev/test-exit-code: "1"
      fresnel.dev/test-duration: 4s
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - {name: vet, taskSpec: {steps: [{name: vet, image: busybox, script: exit 1}]}}
`

// TestSummaryCommentCreatedOnceThenEdited opens a pull request whose lint
// and vet jobs fail seconds apart: the GitHub stand-in gets one new
// comment and edits of it, never a second comment, and the comment ends
// listing both failed jobs with their links and rerun commands, and not
// the passing one.
func TestSummaryCommentCreatedOnceThenEdited(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 7, headSHA, "main", []string{"main.go"})
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), summaryJobs)

	body := harness.GitHubPullRequestEvent("opened", repo, 7, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "summary-pr-7", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 3 {
		t.Fatalf("opened: status %d answer %+v, want 3 runs", status, ans)
	}
	summary := func() string {
		for _, c := range gh.Comments(repo, 7) {
			if strings.Contains(c.Body, "<!-- fresnel: failed jobs -->") {
				return c.Body
			}
		}
		return ""
	}
	waitFor(t, "a summary naming lint and vet", func() bool {
		s := summary()
		return strings.Contains(s, "`/test lint`") && strings.Contains(s, "`/test vet`")
	})
	time.Sleep(settle)

	const comments = "/repos/" + repo + "/issues/7/comments"
	creates, edits := len(gh.Calls(http.MethodPost, comments)), len(gh.Calls(http.MethodPatch, "/repos/"+repo+"/issues/comments/"))
	t.Logf("summary comment: %d created, %d edited", creates, edits)
	if creates != 1 || edits < 1 {
		t.Errorf("summary comment created %d times and edited %d times, want created once and edited", creates, edits)
	}
	s := summary()
	for _, want := range []string{"2 jobs failed on commit " + headSHA[:10], "](https://", "/test lint", "/test vet"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary\n%s\nwant it to hold %q", s, want)
		}
	}
	if strings.Contains(s, "/test unit") {
		t.Errorf("summary\n%s\nlists the passing job", s)
	}
	if n := len(gh.Comments(repo, 7)); n != 1 {
		t.Errorf("%d comments on the pull request, want the one summary", n)
	}
}
