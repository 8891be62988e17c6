package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"knative.dev/pkg/apis"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// gcSettings collects every second: runs finished over an hour ago go,
// and all but the newest two finished runs of a job and repository.
const gcSettingsTail = `gc:
  interval: 1s
  maxAge: 1h
  keepPerJob: 2
  deletesPerSecond: 50
`

// gcJobs has one periodic, whose newest run must stay however old; its
// next tick is far away.
const gcJobs = `
periodics:
- name: nightly
  cron: "0 0 1 1 *"
  pipeline_run_spec:
    pipelineSpec:
      tasks:
      - name: nightly
        taskSpec:
          steps:
          - name: nightly
            image: busybox
            script: exit 0
`

// finishedRun describes a run the test creates as finished: its job and
// type, how long ago it finished, and whether its result was reported.
type finishedRun struct {
	name, job, typ string
	finishedAgo    time.Duration
	reported       bool
	running        bool
}

func TestGCDeletesByAgeAndCountButNeverUnreported(t *testing.T) {
	ns := newNamespace(t)
	var statusesUp atomic.Bool
	scm := harness.NewFakeSCM()
	defer scm.Close()
	scm.Handle("POST /repos/{owner}/{repo}/statuses/{sha}", func(w http.ResponseWriter, r *http.Request) {
		if !statusesUp.Load() {
			http.Error(w, `{"message":"Server Error"}`, http.StatusInternalServerError)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var s map[string]any
		_ = json.Unmarshal(body, &s)
		s["id"] = 1
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(s)
	})
	runs := []finishedRun{
		{name: "build-old-1", job: "build", finishedAgo: 3 * time.Hour, reported: true},
		{name: "build-old-2", job: "build", finishedAgo: 2 * time.Hour, reported: true},
		{name: "build-running", job: "build", running: true},
		{name: "lint-1", job: "lint", finishedAgo: 4 * time.Minute, reported: true},
		{name: "lint-2", job: "lint", finishedAgo: 3 * time.Minute, reported: true},
		{name: "lint-3", job: "lint", finishedAgo: 2 * time.Minute, reported: true},
		{name: "lint-4", job: "lint", finishedAgo: time.Minute, reported: true},
		{name: "deploy-unreported", job: "deploy", finishedAgo: 2 * time.Hour},
		{name: "nightly-older", job: "nightly", typ: "periodic", finishedAgo: 3 * time.Hour, reported: true},
		{name: "nightly-newest", job: "nightly", typ: "periodic", finishedAgo: 2 * time.Hour, reported: true},
	}
	for i, r := range runs {
		createFinished(t, ns, r)
		if i >= 3 && i <= 5 {
			time.Sleep(1100 * time.Millisecond) // creation times order lint-1..4 (one-second resolution)
		}
	}
	startFresnel(t, stack.Kubeconfig, githubSettings(ns, scm.URL)+gcSettingsTail, gcJobs)

	want := []string{"build-running", "deploy-unreported", "lint-3", "lint-4", "nightly-newest"}
	waitForRunsLeft(t, ns, "garbage collection", want)
	// Several more collections: the unreported run stays while its
	// status cannot be posted.
	time.Sleep(4 * time.Second)
	if diff := cmp.Diff(want, leftRuns(t, ns)); diff != "" {
		t.Fatalf("runs left while a result could not be reported (-want +got):\n%s", diff)
	}
	statusesUp.Store(true)
	want = []string{"build-running", "lint-3", "lint-4", "nightly-newest"}
	waitForRunsLeft(t, ns, "the reported run's collection", want)
	if n := len(scm.Calls(http.MethodPost, "/repos/acme/widgets/statuses/")); n == 0 {
		t.Error("the unreported run was deleted without its status ever being posted")
	}
}

// createFinished creates a managed run as pending, so Tekton does not
// start it, then, once Tekton has marked it pending, gives it a finished
// status, as Tekton would.
func createFinished(t *testing.T, ns string, r finishedRun) {
	t.Helper()
	ctx := context.Background()
	typ := r.typ
	if typ == "" {
		typ = "postsubmit"
	}
	pr := &pipelinev1.PipelineRun{
		ObjectMeta: metav1.ObjectMeta{Name: r.name, Namespace: ns,
			Labels: map[string]string{runmeta.LabelManaged: "true", runmeta.LabelProvider: "github", runmeta.LabelType: typ,
				runmeta.LabelJob: r.job, runmeta.LabelRepo: "acme.widgets", runmeta.LabelSHA: r.name},
			Annotations: map[string]string{runmeta.AnnotationRepo: "acme/widgets", runmeta.AnnotationSHA: r.name,
				runmeta.AnnotationInstance: "public", runmeta.AnnotationContext: r.job, runmeta.AnnotationBaseRef: "main"},
		},
		Spec: pipelinev1.PipelineRunSpec{
			Status:      pipelinev1.PipelineRunSpecStatusPending,
			PipelineRef: &pipelinev1.PipelineRef{Name: "never-resolved"},
		},
	}
	if typ == "periodic" {
		pr.Annotations[runmeta.AnnotationScheduled] = time.Now().Add(-r.finishedAgo - time.Minute).UTC().Format(time.RFC3339)
	}
	if r.reported {
		pr.Annotations[runmeta.AnnotationReportedState] = "success"
	}
	if r.running {
		pr.Annotations[runmeta.AnnotationReportedState] = "pending"
	}
	created, err := stack.Tekton.TektonV1().PipelineRuns(ns).Create(ctx, pr, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s: %v", r.name, err)
	}
	if r.running {
		return
	}
	// Tekton marks a new pending run; a finished status written before
	// that would be overwritten by its mark.
	waitFor(t, r.name+" marked pending by Tekton", func() bool {
		cur, err := stack.Tekton.TektonV1().PipelineRuns(ns).Get(ctx, created.Name, metav1.GetOptions{})
		return err == nil && cur.Status.GetCondition(apis.ConditionSucceeded) != nil
	})
	finished := time.Now().Add(-r.finishedAgo)
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := stack.Tekton.TektonV1().PipelineRuns(ns).Get(ctx, created.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		markSucceeded(cur, finished)
		_, err = stack.Tekton.TektonV1().PipelineRuns(ns).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("finish %s: %v", r.name, err)
	}
}

// markSucceeded gives pr the status Tekton gives a run that succeeded at
// finished, having started a minute before.
func markSucceeded(pr *pipelinev1.PipelineRun, finished time.Time) {
	pr.Status.StartTime = &metav1.Time{Time: finished.Add(-time.Minute)}
	pr.Status.CompletionTime = &metav1.Time{Time: finished}
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue,
		Reason: pipelinev1.PipelineRunReasonSuccessful.String(), Message: "Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0"})
}

// waitForRunsLeft waits until the managed runs left in ns are want and
// shows the difference if they never are.
func waitForRunsLeft(t *testing.T, ns, what string, want []string) {
	t.Helper()
	var got []string
	err := harness.WaitFor(2*time.Minute, 250*time.Millisecond, func() (bool, error) {
		got = leftRuns(t, ns)
		return cmp.Equal(got, want), nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v; runs left (-want +got):\n%s", what, err, cmp.Diff(want, got))
	}
}

// leftRuns lists the managed runs left in ns, sorted.
func leftRuns(t *testing.T, ns string) []string {
	t.Helper()
	var names []string
	for _, pr := range listRuns(t, ns) {
		names = append(names, pr.Name)
	}
	sort.Strings(names)
	return names
}
