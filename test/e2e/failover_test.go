package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"syscall"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// failoverJobs has a quick job and a serial one (max_concurrency 1) that
// every pull request runs; each run stays up a second or two, so the
// serial runs queue up behind each other.
const failoverJobs = `
presubmits:
  acme/widgets:
  - name: quick
    always_run: true
    annotations:
      fresnel.dev/test-duration: 1s
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: quick
          taskSpec:
            steps:
            - {name: test, image: busybox, script: "exit 0"}
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
            - {name: test, image: busybox, script: "exit 0"}
`

// TestFailoverReportsEveryRunOnce runs a webhook and two controllers with
// leader election, sends a burst of pull requests and kills the leader
// with SIGKILL in the middle of it, while the serial job's queue is
// long. The other controller takes over: every run is reported, and no
// status is sent twice (the reported state lives on the PipelineRun, and
// for runs that changed before the takeover the successor reads back the
// statuses GitHub shows: the leader may die between the two); the serial
// runs start one at a time in the order they were created, across the
// failover.
func TestFailoverReportsEveryRunOnce(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := githubSettings(ns, gh.URL)
	webhook := startRole(t, "webhook", settings, failoverJobs)
	a := startRole(t, "controller", settings, failoverJobs, "--leader-elect")
	b := startRole(t, "controller", settings, failoverJobs, "--leader-elect")
	leader, follower := a, b
	waitFor(t, "a leader", func() bool {
		switch {
		case leaderGauge(t, a) == 1:
			return true
		case leaderGauge(t, b) == 1:
			leader, follower = b, a
			return true
		}
		return false
	})

	const pulls = 8
	shas := make([]string, pulls)
	for n := 1; n <= pulls; n++ {
		shas[n-1] = fmt.Sprintf("%040x", 0xfa110+n)
		if n == pulls/2+1 {
			waitFor(t, "the leader to report a few results", func() bool { return countState(gh.GitHubStatuses(), "success") >= 2 })
			if err := syscall.Kill(leader.PID(), syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
		body := harness.GitHubPullRequestEvent("opened", repo, n, shas[n-1], "main")
		status, ans := send(t, webhook, "github", "public", harness.GitHubHeader("pull_request", fmt.Sprintf("failover-%d", n), githubSecret, body), body)
		if status != http.StatusOK || len(ans.Runs) != 2 {
			t.Fatalf("pull %d: status %d, answer %+v", n, status, ans)
		}
	}
	waitFor(t, "the other controller to lead", func() bool { return leaderGauge(t, follower) == 1 })
	runs := waitAllDone(t, ns, 2*pulls)
	waitFor(t, "every run reported", func() bool { return allReported(t, ns) })
	time.Sleep(3 * time.Second) // a report sent twice would arrive now

	t.Logf("statuses read back by the controller that took over: %d", len(gh.Calls(http.MethodGet, "/repos/"+repo+"/statuses/")))
	checkEachReportedOnce(t, gh.GitHubStatuses(), shas, []string{"quick", "serial"})
	checkQueueOrder(t, runs)
}

// startRole runs one fresnel role with the given settings and job config.
func startRole(t *testing.T, role, settings, config string, args ...string) *harness.Fresnel {
	t.Helper()
	files := map[string]string{"config.yaml": config, "github-hmac": string(githubSecret), "github-token": "ghp_e2e"}
	return startRoleFiles(t, role, settings, files, args...)
}

// startRoleFiles runs one fresnel role with the given settings and the
// files (config.yaml, secrets) beside them.
func startRoleFiles(t *testing.T, role, settings string, files map[string]string, args ...string) *harness.Fresnel {
	t.Helper()
	f, err := harness.StartFresnel(t.Context(), t.TempDir(), harness.FresnelOptions{
		Binary: binary, Role: role, Kubeconfig: stack.Kubeconfig, Settings: settings, Files: files, Args: args,
	})
	if err != nil {
		t.Fatalf("start %s: %v", role, err)
	}
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("%s logs:\n%s", role, f.Logs())
		}
	})
	return f
}

// allReported says whether every run's reported state is its final one.
func allReported(t *testing.T, ns string) bool {
	for _, pr := range listRuns(t, ns) {
		if pr.Annotations[runmeta.AnnotationReportedState] != "success" {
			return false
		}
	}
	return true
}

// checkEachReportedOnce asserts one success per commit and context, and
// no status (state and description) sent twice.
func checkEachReportedOnce(t *testing.T, got []harness.GitHubStatus, shas, contexts []string) {
	t.Helper()
	successes, sent := map[string]int{}, map[string]int{}
	for _, s := range got {
		key := s.SHA + " " + s.Context
		if s.State == "success" {
			successes[key]++
		}
		sent[key+" "+s.State+" "+s.Description]++
	}
	for _, sha := range shas {
		for _, c := range contexts {
			if n := successes[sha+" "+c]; n != 1 {
				t.Errorf("%s %s: %d success statuses, want exactly 1", sha, c, n)
			}
		}
	}
	for key, n := range sent {
		if n > 1 {
			t.Errorf("status %q sent %d times", key, n)
		}
	}
}

// checkQueueOrder asserts that the serial runs started one at a time, in
// the order they were created (creation time, then name).
func checkQueueOrder(t *testing.T, runs []pipelinev1.PipelineRun) {
	t.Helper()
	var serial []pipelinev1.PipelineRun
	for _, pr := range runs {
		if pr.Labels[runmeta.LabelJob] == "serial" {
			serial = append(serial, pr)
		}
	}
	// In the order they ran: none may overlap the one before, and none may
	// have been created after the one before (creation times have
	// one-second resolution, so runs of the same second may go either way).
	sort.Slice(serial, func(i, j int) bool { return serial[i].Status.StartTime.Before(serial[j].Status.StartTime) })
	for i := 1; i < len(serial); i++ {
		prev, cur := serial[i-1], serial[i]
		if cur.Status.StartTime.Before(prev.Status.CompletionTime) {
			t.Errorf("%s started at %s, before %s finished at %s: overlapping", cur.Name, cur.Status.StartTime, prev.Name, prev.Status.CompletionTime)
		}
		if cur.CreationTimestamp.Before(&prev.CreationTimestamp) {
			t.Errorf("%s (created %s) ran after %s (created %s): out of order", cur.Name, cur.CreationTimestamp, prev.Name, prev.CreationTimestamp)
		}
	}
}
