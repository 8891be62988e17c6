package e2e

import (
	"context"
	"net/http"
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// leasedJobs has one job, one at a time, whose work runs an hour (the
// duration sits on the work task alone) and whose finally task releases
// what the work held.
const leasedJobs = `
presubmits:
  acme/widgets:
  - name: leased
    always_run: true
    max_concurrency: 1
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: work
          taskSpec:
            metadata:
              annotations:
                fresnel.dev/test-duration: 1h
            steps:
            - name: work
              image: busybox
              script: sleep 3600
        finally:
        - name: release
          taskSpec:
            steps:
            - name: release
              image: busybox
              script: echo released
`

// TestCancelLetsFinallyRunAndQueuedRunsNeverStart closes two pull
// requests: the one whose run is under way is cancelled with
// CancelledRunFinally, so its finally task still runs and succeeds; the
// one whose run waits for max_concurrency is cancelled outright, so
// nothing of it ever runs, its finally task included.
func TestCancelLetsFinallyRunAndQueuedRunsNeverStart(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), leasedJobs)
	shas := map[int]string{6: "dddddddddddddddddddddddddddddddddddddddd", 7: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"}
	runs := map[int]string{}
	for _, n := range []int{6, 7} {
		gh.GitHubPullRequest(repo, n, shas[n], "main", []string{"main.go"})
		runs[n] = sendPullRequest(t, f, "opened", n, shas[n])
		if n == 6 {
			waitFor(t, "the first run's work under way", func() bool { return len(taskRuns(t, ns, runs[6])) == 1 })
		}
	}
	if got := getRun(t, ns, runs[7]).Spec.Status; got != pipelinev1.PipelineRunSpecStatusPending {
		t.Fatalf("the second run's spec.status = %q, want it queued (Pending)", got)
	}
	sendPullRequest(t, f, "closed", 7, shas[7])
	sendPullRequest(t, f, "closed", 6, shas[6])

	waitFor(t, "both runs cancelled", func() bool { return cancelled(getRun(t, ns, runs[6])) && cancelled(getRun(t, ns, runs[7])) })
	if got := getRun(t, ns, runs[6]).Spec.Status; got != pipelinev1.PipelineRunSpecStatusCancelledRunFinally {
		t.Errorf("the running run's spec.status = %q, want CancelledRunFinally", got)
	}
	if got := getRun(t, ns, runs[7]).Spec.Status; got != pipelinev1.PipelineRunSpecStatusCancelled {
		t.Errorf("the queued run's spec.status = %q, want Cancelled", got)
	}
	checkTaskRuns(t, ns, runs[6], map[string]bool{"work": false, "release": true})
	checkTaskRuns(t, ns, runs[7], map[string]bool{})
	waitFor(t, "the cancellation reported on the first pull request", func() bool {
		for _, s := range gh.GitHubStatuses() {
			if s.SHA == shas[6] && s.State == "error" && s.Description == "Job cancelled: the pull request was closed." {
				return true
			}
		}
		return false
	})
}

// sendPullRequest delivers a pull_request event and returns the name of
// the run it created, if any.
func sendPullRequest(t *testing.T, f *harness.Fresnel, action string, number int, sha string) string {
	t.Helper()
	body := harness.GitHubPullRequestEvent(action, repo, number, sha, "main")
	id := "finally-" + action + "-" + sha[:1]
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", id, githubSecret, body), body)
	if status != http.StatusOK {
		t.Fatalf("%s #%d: status %d answer %+v", action, number, status, ans)
	}
	if len(ans.Runs) == 0 {
		return ""
	}
	return ans.Runs[0].Name
}

func getRun(t *testing.T, ns, name string) *pipelinev1.PipelineRun {
	t.Helper()
	pr, err := stack.Tekton.TektonV1().PipelineRuns(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	return pr
}

func cancelled(pr *pipelinev1.PipelineRun) bool {
	c := pr.Status.GetCondition(apis.ConditionSucceeded)
	return c != nil && c.Reason == pipelinev1.PipelineRunReasonCancelled.String()
}

// taskRuns lists the TaskRuns of a PipelineRun, by pipeline task.
func taskRuns(t *testing.T, ns, run string) map[string]pipelinev1.TaskRun {
	t.Helper()
	list, err := stack.Tekton.TektonV1().TaskRuns(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "tekton.dev/pipelineRun=" + run})
	if err != nil {
		t.Fatalf("list TaskRuns of %s: %v", run, err)
	}
	out := map[string]pipelinev1.TaskRun{}
	for _, tr := range list.Items {
		out[tr.Labels["tekton.dev/pipelineTask"]] = tr
	}
	return out
}

// checkTaskRuns asserts the run has exactly the TaskRuns of want, each
// succeeded or not as want says.
func checkTaskRuns(t *testing.T, ns, run string, want map[string]bool) {
	t.Helper()
	got := taskRuns(t, ns, run)
	if len(got) != len(want) {
		t.Errorf("%s: TaskRuns of %d pipeline tasks, want %d (%v)", run, len(got), len(want), want)
	}
	for task, succeeded := range want {
		tr, ok := got[task]
		c := tr.Status.GetCondition(apis.ConditionSucceeded)
		if !ok || c == nil || c.IsTrue() != succeeded || c.IsUnknown() {
			t.Errorf("%s: task %s ran %v with condition %+v, want it finished, succeeded=%v", run, task, ok, c, succeeded)
		}
	}
}
