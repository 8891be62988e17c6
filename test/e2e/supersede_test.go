package e2e

import (
	"net/http"
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// slowJobs has one job that runs long enough to be superseded.
const slowJobs = `
presubmits:
  acme/widgets:
  - name: slow
    always_run: true
    annotations:
      fresnel.dev/test-duration: 120s
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: slow
          taskSpec:
            steps:
            - name: test
              image: busybox
              script: sleep 120
`

func TestNewCommitCancelsTheRunItSupersedes(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), slowJobs)
	const first, second = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

	gh.GitHubPullRequest(repo, 5, second, "main", []string{"main.go"})
	for i, sha := range []string{first, second} {
		action := map[int]string{0: "opened", 1: "synchronize"}[i]
		body := harness.GitHubPullRequestEvent(action, repo, 5, sha, "main")
		status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "supersede-"+action, githubSecret, body), body)
		if status != http.StatusOK || len(ans.Runs) != 1 {
			t.Fatalf("%s: status %d answer %+v", action, status, ans)
		}
	}

	byCommit := func() map[string]*pipelinev1.PipelineRun {
		out := map[string]*pipelinev1.PipelineRun{}
		for _, pr := range listRuns(t, ns) {
			out[pr.Annotations["fresnel.dev/sha"]] = &pr
		}
		return out
	}
	waitFor(t, "the run on the first commit cancelled", func() bool {
		c := byCommit()[first].Status.GetCondition(apis.ConditionSucceeded)
		return c != nil && c.Reason == pipelinev1.PipelineRunReasonCancelled.String()
	})
	if c := byCommit()[second].Status.GetCondition(apis.ConditionSucceeded); c != nil && c.IsFalse() {
		t.Fatalf("the run on the new commit stopped too: %+v", c)
	}
	waitFor(t, "the cancellation reported on the first commit", func() bool {
		for _, s := range gh.GitHubStatuses() {
			if s.SHA == first && s.State == "error" && s.Description == "Job cancelled: a newer commit superseded it." {
				return true
			}
		}
		return false
	})
	for _, s := range gh.GitHubStatuses() {
		if s.SHA == second && s.State != "pending" {
			t.Errorf("the new commit got %s: %+v", s.State, s)
		}
	}
}

func TestClosingAPullRequestCancelsItsRuns(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), slowJobs)
	const sha = "cccccccccccccccccccccccccccccccccccccccc"
	gh.GitHubPullRequest(repo, 6, sha, "main", []string{"main.go"})

	var names []string
	for _, action := range []string{"opened", "closed"} {
		body := harness.GitHubPullRequestEvent(action, repo, 6, sha, "main")
		status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "close-"+action, githubSecret, body), body)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d answer %+v", action, status, ans)
		}
		for _, r := range ans.Runs {
			names = append(names, r.Name)
		}
		if action == "closed" && (len(ans.Cancelled) != 1 || ans.Cancelled[0] != names[0]) {
			t.Fatalf("closed: answer cancelled %v, want the run %v", ans.Cancelled, names)
		}
	}
	waitFor(t, "the run of the closed pull request cancelled", func() bool {
		runs := listRuns(t, ns)
		if len(runs) != 1 {
			return false
		}
		c := runs[0].Status.GetCondition(apis.ConditionSucceeded)
		return c != nil && c.Reason == pipelinev1.PipelineRunReasonCancelled.String()
	})
}
