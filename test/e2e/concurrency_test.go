package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// serialJobs has one job that may run once at a time; each run stays up
// two seconds, so runs started together would overlap.
const serialJobs = `
presubmits:
  acme/widgets:
  - name: serial
    always_run: true
    max_concurrency: 1
    annotations:
      fresnel.dev/test-duration: 2s
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: serial
          taskSpec:
            steps:
            - name: test
              image: busybox
              script: exit 0
`

func TestMaxConcurrencyRunsOneAtATime(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), serialJobs)

	const pulls = 3
	for n := 1; n <= pulls; n++ {
		sha := fmt.Sprintf("%040d", n)
		gh.GitHubPullRequest(repo, n, sha, "main", []string{"main.go"})
		body := harness.GitHubPullRequestEvent("opened", repo, n, sha, "main")
		status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", fmt.Sprintf("serial-%d", n), githubSecret, body), body)
		if status != http.StatusOK || len(ans.Runs) != 1 {
			t.Fatalf("pull %d: status %d, answer %+v", n, status, ans)
		}
	}

	runs := waitAllDone(t, ns, pulls)
	sort.Slice(runs, func(a, b int) bool { return runs[a].Status.StartTime.Before(runs[b].Status.StartTime) })
	for i, pr := range runs {
		if !pr.Status.GetCondition(apis.ConditionSucceeded).IsTrue() {
			t.Errorf("%s did not succeed: %+v", pr.Name, pr.Status.Conditions)
		}
		if i > 0 && pr.Status.StartTime.Before(runs[i-1].Status.CompletionTime) {
			t.Errorf("%s started at %s, before %s finished at %s: more than one ran at once",
				pr.Name, pr.Status.StartTime, runs[i-1].Name, runs[i-1].Status.CompletionTime)
		}
	}

	final := waitStatuses(t, gh, map[string]string{"serial": "success"})
	queued := 0
	for _, s := range final {
		if s.State == "pending" && strings.Contains(s.Description, "queued") {
			queued++
		}
	}
	if queued == 0 {
		t.Errorf("no pending status said the run was queued: %+v", final)
	}
	waitFor(t, "a success status per pull request", func() bool { return countState(gh.GitHubStatuses(), "success") == pulls })
}

// waitAllDone waits until n managed runs exist in ns and all are finished.
func waitAllDone(t *testing.T, ns string, n int) []pipelinev1.PipelineRun {
	t.Helper()
	var runs []pipelinev1.PipelineRun
	waitFor(t, fmt.Sprintf("%d finished PipelineRuns", n), func() bool {
		runs = listRuns(t, ns)
		if len(runs) != n {
			return false
		}
		for _, pr := range runs {
			c := pr.Status.GetCondition(apis.ConditionSucceeded)
			if c == nil || c.Status == corev1.ConditionUnknown {
				return false
			}
		}
		return true
	})
	return runs
}

func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	err := harness.WaitFor(2*time.Minute, 250*time.Millisecond, func() (bool, error) { return done(), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func countState(statuses []harness.GitHubStatus, state string) int {
	n := 0
	for _, s := range statuses {
		if s.State == state {
			n++
		}
	}
	return n
}
