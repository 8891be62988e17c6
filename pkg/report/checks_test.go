package report

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// checksKind is a provider kind, registered only in this package's tests,
// whose instances report checks.
const checksKind = "report-checks-test"

// checkCall is one SetCheck call.
type checkCall struct {
	ID    string
	Check providers.Check
}

// fakeChecker records the checks it is asked to set, numbers the ones it
// creates and finds them again.
type fakeChecker struct {
	mu      sync.Mutex
	calls   []checkCall
	created []createdCheck
	finds   int
}

// createdCheck is a check the fake made, and when.
type createdCheck struct {
	id, context, job string
	at               time.Time
}

// FindCheck returns the newest check of job named context made at since
// or later.
func (f *fakeChecker) FindCheck(_ context.Context, _ event.CommitRef, context, job string, since time.Time) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds++
	for i := len(f.created) - 1; i >= 0; i-- {
		if c := f.created[i]; c.context == context && c.job == job && !c.at.Before(since) {
			return c.id, nil
		}
	}
	return "", nil
}

func (f *fakeChecker) Verify(context.Context, *http.Request, []byte) error { return nil }

func (f *fakeChecker) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func (f *fakeChecker) SetCheck(_ context.Context, _ event.CommitRef, id string, c providers.Check) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, checkCall{ID: id, Check: c})
	if id == "" {
		id = fmt.Sprintf("cr-%d", len(f.calls))
		f.created = append(f.created, createdCheck{id: id, context: c.Context, job: c.Job, at: time.Now()})
	}
	return id, nil
}

func (f *fakeChecker) sent() []checkCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]checkCall(nil), f.calls...)
}

func init() {
	providers.Register(checksKind, func(providers.Config) (providers.Intake, error) { return &fakeChecker{}, nil })
}

// checksHarness is a reporter for an instance with checks, over a fake
// client whose reads can miss the check-run annotation (a stale cache).
type checksHarness struct {
	client   client.Client
	scm      *fakeChecker
	reporter *Reporter
	stale    bool
}

func newChecksHarness(t *testing.T, objs ...client.Object) *checksHarness {
	t.Helper()
	h := &checksHarness{}
	h.client = runsClient(t, func() bool { return h.stale }, []string{run.AnnotationCheckRun, run.AnnotationReportedState}, objs...)
	set, err := providers.NewSet([]providers.Config{{Kind: checksKind, Name: "app", Secret: []byte("s")}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := set.Get(checksKind, "app")
	h.scm = in.Intake.(*fakeChecker)
	h.reporter = &Reporter{Client: h.client, Instances: set}
	return h
}

// checkRun is a run of job unit on an instance with checks.
func checkRun(t *testing.T) *pipelinev1.PipelineRun {
	ev := reportEvent
	ev.Provider, ev.Instance = checksKind, "app"
	return newRun(t, "unit", ev)
}

// update changes the stored run's status.
func (h *checksHarness) update(t *testing.T, pr *pipelinev1.PipelineRun, change func(*pipelinev1.PipelineRun)) {
	t.Helper()
	var cur pipelinev1.PipelineRun
	if err := h.client.Get(context.Background(), client.ObjectKeyFromObject(pr), &cur); err != nil {
		t.Fatal(err)
	}
	change(&cur)
	if err := h.client.Status().Update(context.Background(), &cur); err != nil {
		t.Fatal(err)
	}
}

func (h *checksHarness) annotations(t *testing.T, pr *pipelinev1.PipelineRun) map[string]string {
	t.Helper()
	var got pipelinev1.PipelineRun
	if err := h.client.Get(context.Background(), client.ObjectKeyFromObject(pr), &got); err != nil {
		t.Fatal(err)
	}
	return got.Annotations
}

func started(pr *pipelinev1.PipelineRun) {
	now := metav1.Now()
	pr.Status.StartTime = &now
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionUnknown, Reason: "Running"})
}

func finished(status corev1.ConditionStatus, reason string) func(*pipelinev1.PipelineRun) {
	return func(pr *pipelinev1.PipelineRun) {
		started(pr)
		pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: reason})
		pr.Status.ChildReferences = []pipelinev1.ChildStatusReference{
			{Name: "unit-run-setup", PipelineTaskName: "setup"},
			{Name: "unit-run-test", PipelineTaskName: "test"},
		}
	}
}

// taskRun is a finished TaskRun whose steps ended with the exit codes given.
func taskRun(name string, status corev1.ConditionStatus, exits map[string]int32, order ...string) *pipelinev1.TaskRun {
	tr := &pipelinev1.TaskRun{ObjectMeta: metav1.ObjectMeta{Namespace: "ci", Name: name}}
	tr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status})
	for _, step := range order {
		tr.Status.Steps = append(tr.Status.Steps, pipelinev1.StepState{Name: step,
			ContainerState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exits[step]}}})
	}
	return tr
}

func TestCheckFollowsTheRun(t *testing.T) {
	pr := checkRun(t)
	h := newChecksHarness(t, pr,
		taskRun("unit-run-setup", corev1.ConditionTrue, map[string]int32{"clone": 0}, "clone"),
		taskRun("unit-run-test", corev1.ConditionFalse, map[string]int32{"prepare": 0, "go-test": 2, "report": 1}, "prepare", "go-test", "report"))
	steps := []struct {
		name      string
		change    func(*pipelinev1.PipelineRun)
		wantCalls int
		wantLast  checkCall
		wantPhase string
	}{
		{name: "created queued", wantCalls: 1, wantPhase: "pending",
			wantLast: checkCall{Check: providers.Check{Status: providers.Status{State: "pending", Context: "ci/unit", Description: "Job triggered."}, Job: "unit"}}},
		{name: "seen again: nothing new", wantCalls: 1, wantPhase: "pending",
			wantLast: checkCall{Check: providers.Check{Status: providers.Status{State: "pending", Context: "ci/unit", Description: "Job triggered."}, Job: "unit"}}},
		{name: "started: the same check goes in progress", change: started, wantCalls: 2, wantPhase: "running",
			wantLast: checkCall{ID: "cr-1", Check: providers.Check{Status: providers.Status{State: "pending", Context: "ci/unit", Description: "Job running."}, Job: "unit", Started: true}}},
		{name: "failed: completed with the failed step", change: finished(corev1.ConditionFalse, "Failed"), wantCalls: 3, wantPhase: "failure",
			wantLast: checkCall{ID: "cr-1", Check: providers.Check{Status: providers.Status{State: "failure", Context: "ci/unit", Description: "Job failed."}, Job: "unit", Started: true, FailedStep: "test/go-test"}}},
	}
	for _, step := range steps {
		if step.change != nil {
			h.update(t, pr, step.change)
		}
		if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
			t.Fatalf("%s: Reconcile: %v", step.name, err)
		}
		calls := h.scm.sent()
		if len(calls) != step.wantCalls {
			t.Fatalf("%s: %d SetCheck calls, want %d: %+v", step.name, len(calls), step.wantCalls, calls)
		}
		if diff := cmp.Diff(step.wantLast, calls[len(calls)-1]); diff != "" {
			t.Errorf("%s: last SetCheck (-want +got):\n%s", step.name, diff)
		}
		got := h.annotations(t, pr)
		if got[run.AnnotationCheckRun] != "cr-1" || got[run.AnnotationReportedState] != step.wantPhase {
			t.Errorf("%s: check-run %q, reported-state %q; want cr-1, %s", step.name, got[run.AnnotationCheckRun], got[run.AnnotationReportedState], step.wantPhase)
		}
	}
}

// TestCheckStaleReadUpdatesTheSameCheck: a cache read that misses the
// check-run annotation right after it was written still updates the
// check this process created, rather than creating a second one.
func TestCheckStaleReadUpdatesTheSameCheck(t *testing.T) {
	pr := checkRun(t)
	h := newChecksHarness(t, pr)
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	h.stale = true
	h.update(t, pr, finished(corev1.ConditionTrue, "Succeeded"))
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	calls := h.scm.sent()
	if len(calls) != 2 || calls[1].ID != "cr-1" || calls[1].Check.State != providers.StateSuccess {
		t.Fatalf("SetCheck calls = %+v, want a create then a success update of cr-1", calls)
	}
}

func TestCheckCancelledNamesNoStep(t *testing.T) {
	pr := checkRun(t)
	pr.Annotations[run.AnnotationCheckRun] = "cr-9"
	h := newChecksHarness(t, pr, taskRun("unit-run-test", corev1.ConditionFalse, map[string]int32{"go-test": 1}, "go-test"))
	h.update(t, pr, finished(corev1.ConditionFalse, pipelinev1.PipelineRunReasonCancelled.String()))
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	calls := h.scm.sent()
	if len(calls) != 1 || calls[0].ID != "cr-9" || !calls[0].Check.Cancelled || calls[0].Check.FailedStep != "" {
		t.Fatalf("SetCheck calls = %+v, want one update of cr-9, cancelled, naming no step", calls)
	}
}

func TestFailedStep(t *testing.T) {
	tests := []struct {
		name     string
		taskRuns []client.Object
		want     string
	}{
		{name: "the first failed step of the failed task",
			taskRuns: []client.Object{taskRun("unit-run-setup", corev1.ConditionTrue, nil), taskRun("unit-run-test", corev1.ConditionFalse, map[string]int32{"a": 0, "b": 137, "c": 1}, "a", "b", "c")},
			want:     "test/b"},
		{name: "a task that failed without a failed step (a timeout)",
			taskRuns: []client.Object{taskRun("unit-run-setup", corev1.ConditionFalse, map[string]int32{"clone": 0}, "clone")},
			want:     "setup"},
		{name: "TaskRuns gone: no name", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr := checkRun(t)
			finished(corev1.ConditionFalse, "Failed")(pr)
			h := newChecksHarness(t, tc.taskRuns...)
			if got := h.reporter.failedStep(context.Background(), pr); got != tc.want {
				t.Errorf("failedStep = %q, want %q", got, tc.want)
			}
		})
	}
}

func checkRequest(pr *pipelinev1.PipelineRun) ctrl.Request {
	return ctrl.Request{NamespacedName: client.ObjectKeyFromObject(pr)}
}

// TestCheckNeedsACommit: a run on no repository commit (a periodic) gets
// no check, and that is not an error to retry.
func TestCheckNeedsACommit(t *testing.T) {
	pr := checkRun(t)
	delete(pr.Annotations, run.AnnotationRepo)
	delete(pr.Annotations, run.AnnotationSHA)
	h := newChecksHarness(t, pr)
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	if calls := h.scm.sent(); len(calls) != 0 {
		t.Errorf("SetCheck calls %+v, want none", calls)
	}
}
