package report

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// reportKind is a provider kind registered only in this package's tests.
const reportKind = "report-test"

// reported is one SetStatus call.
type reported struct {
	Ref    event.CommitRef
	Status providers.Status
}

// fakeSCM records the statuses it is asked to set and reads them back;
// fail makes it refuse to set them, readFail to read them.
type fakeSCM struct {
	mu       sync.Mutex
	calls    []reported
	fail     error
	readFail error
	reads    int
}

// LatestStatus returns the newest status set for context on ref's commit.
func (f *fakeSCM) LatestStatus(_ context.Context, ref event.CommitRef, context string) (providers.Status, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.readFail != nil {
		return providers.Status{}, false, f.readFail
	}
	for i := len(f.calls) - 1; i >= 0; i-- {
		if c := f.calls[i]; c.Ref.Repo == ref.Repo && c.Ref.SHA == ref.SHA && c.Status.Context == context {
			return c.Status, true, nil
		}
	}
	return providers.Status{}, false, nil
}

func (f *fakeSCM) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

func (f *fakeSCM) Verify(context.Context, *http.Request, []byte) error { return nil }

func (f *fakeSCM) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func (f *fakeSCM) SetStatus(_ context.Context, ref event.CommitRef, s providers.Status) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.calls = append(f.calls, reported{Ref: ref, Status: s})
	return nil
}

func (f *fakeSCM) sent() []reported {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]reported(nil), f.calls...)
}

func init() {
	providers.Register(reportKind, func(providers.Config) (providers.Intake, error) { return &fakeSCM{}, nil })
}

const reportJobs = `
presubmits:
  org/repo:
  - name: unit
    context: ci/unit
    always_run: true
    pipeline_run_spec: {pipelineRef: {name: build}}
  - name: quiet
    skip_report: true
    pipeline_run_spec: {pipelineRef: {name: build}}
  - name: lint
    context: ci/lint
    always_run: true
    pipeline_run_spec: {pipelineRef: {name: build}}
`

var reportEvent = event.Event{
	Provider: reportKind, Instance: "public", Delivery: "d-1",
	Kind: event.KindPullRequest, Action: event.ActionOpened,
	Repo:    event.Repo{Owner: "org", Name: "repo", FullName: "org/repo"},
	BaseRef: "main", HeadSHA: "he4d", Number: 7,
}

// newRun builds the PipelineRun launch would create for job.
func newRun(t *testing.T, job string, ev event.Event) *pipelinev1.PipelineRun {
	t.Helper()
	cfg, err := triggers.Parse([]byte(reportJobs), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range cfg.Presubmits["org/repo"] {
		if j.Name == job {
			pr, err := launch.PipelineRun(j, ev, "ci")
			if err != nil {
				t.Fatal(err)
			}
			pr.UID = types.UID("uid-" + pr.Name)
			return pr
		}
	}
	t.Fatalf("no job %q", job)
	return nil
}

type harness struct {
	client   client.Client
	scm      *fakeSCM
	reporter *Reporter
	// stale makes the reporter's reads miss the reported-state annotation,
	// as a cache read right after the reporter's own patch can.
	stale atomic.Bool
}

func newHarness(t *testing.T, objs ...client.Object) *harness {
	t.Helper()
	h := &harness{}
	h.client = runsClient(t, h.stale.Load, []string{run.AnnotationReportedState}, objs...)
	set, err := providers.NewSet([]providers.Config{{Kind: reportKind, Name: "public", Secret: []byte("s")}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := set.Get(reportKind, "public")
	h.scm = in.Intake.(*fakeSCM)
	h.reporter = &Reporter{Client: h.client, Instances: set}
	return h
}

func (h *harness) reconcile(t *testing.T, pr *pipelinev1.PipelineRun) error {
	t.Helper()
	_, err := h.reporter.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(pr)})
	return err
}

func (h *harness) reportedState(t *testing.T, pr *pipelinev1.PipelineRun) string {
	t.Helper()
	var got pipelinev1.PipelineRun
	if err := h.client.Get(context.Background(), client.ObjectKeyFromObject(pr), &got); err != nil {
		t.Fatal(err)
	}
	return got.Annotations[run.AnnotationReportedState]
}

// setStatus gives the stored run a Succeeded condition.
func (h *harness) setStatus(t *testing.T, pr *pipelinev1.PipelineRun, status corev1.ConditionStatus, reason string) {
	t.Helper()
	var cur pipelinev1.PipelineRun
	if err := h.client.Get(context.Background(), client.ObjectKeyFromObject(pr), &cur); err != nil {
		t.Fatal(err)
	}
	cur.Status.StartTime = &metav1.Time{}
	cur.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: reason})
	if err := h.client.Status().Update(context.Background(), &cur); err != nil {
		t.Fatal(err)
	}
}

func states(calls []reported) []providers.State {
	out := []providers.State{}
	for _, c := range calls {
		out = append(out, c.Status.State)
	}
	return out
}

func TestReconcileReportsEachStateOnce(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	steps := []struct {
		name      string
		status    corev1.ConditionStatus
		reason    string
		want      []providers.State
		wantState string
	}{
		{name: "new run", want: []providers.State{"pending"}, wantState: "pending"},
		{name: "reconciled again", want: []providers.State{"pending"}, wantState: "pending"},
		{name: "running is still pending", status: corev1.ConditionUnknown, reason: "Running", want: []providers.State{"pending"}, wantState: "pending"},
		{name: "succeeded", status: corev1.ConditionTrue, reason: "Succeeded", want: []providers.State{"pending", "success"}, wantState: "success"},
		{name: "succeeded, reconciled again", status: corev1.ConditionTrue, reason: "Succeeded", want: []providers.State{"pending", "success"}, wantState: "success"},
	}
	for _, step := range steps {
		if step.status != "" {
			h.setStatus(t, pr, step.status, step.reason)
		}
		if err := h.reconcile(t, pr); err != nil {
			t.Fatalf("%s: Reconcile: %v", step.name, err)
		}
		if diff := cmp.Diff(step.want, states(h.scm.sent())); diff != "" {
			t.Errorf("%s: reported states (-want +got):\n%s", step.name, diff)
		}
		if got := h.reportedState(t, pr); got != step.wantState {
			t.Errorf("%s: reported-state annotation = %q, want %q", step.name, got, step.wantState)
		}
	}
	want := []reported{
		{Ref: event.CommitRef{Repo: "org/repo", SHA: "he4d", Number: 7}, Status: providers.Status{State: "pending", Context: "ci/unit", Description: "Job triggered."}},
		{Ref: event.CommitRef{Repo: "org/repo", SHA: "he4d", Number: 7}, Status: providers.Status{State: "success", Context: "ci/unit", Description: "Job succeeded."}},
	}
	if diff := cmp.Diff(want, h.scm.sent()); diff != "" {
		t.Errorf("SetStatus calls (-want +got):\n%s", diff)
	}
}

func (h *harness) settled(t *testing.T, pr *pipelinev1.PipelineRun) bool {
	t.Helper()
	var got pipelinev1.PipelineRun
	if err := h.client.Get(context.Background(), client.ObjectKeyFromObject(pr), &got); err != nil {
		t.Fatal(err)
	}
	return got.Labels[run.LabelSettled] == "true"
}

// TestFinishedRunsAreSettledOnceReported: the cache lets go of a run only
// once it is finished and its result is reported, or is not to be; runs
// an earlier version reported are settled without being reported again.
func TestFinishedRunsAreSettledOnceReported(t *testing.T) {
	reported, skipped, earlier := newRun(t, "unit", reportEvent), newRun(t, "quiet", reportEvent), newRun(t, "lint", reportEvent)
	earlier.Annotations[run.AnnotationReportedState] = "success"
	h := newHarness(t, reported, skipped, earlier)
	for _, pr := range []*pipelinev1.PipelineRun{reported, skipped} {
		if err := h.reconcile(t, pr); err != nil {
			t.Fatal(err)
		}
		if h.settled(t, pr) {
			t.Errorf("%s is settled before it finished", pr.Name)
		}
	}
	for _, pr := range []*pipelinev1.PipelineRun{reported, skipped, earlier} {
		h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
		if err := h.reconcile(t, pr); err != nil {
			t.Fatal(err)
		}
		if !h.settled(t, pr) {
			t.Errorf("%s is not settled once finished and reported", pr.Name)
		}
	}
	if diff := cmp.Diff([]providers.State{"pending", "success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states (-want +got):\n%s", diff)
	}
}

func TestReconcileStaleReadDoesNotReportAgain(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	h.stale.Store(true)
	for range 2 {
		if err := h.reconcile(t, pr); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]providers.State{"pending"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states with stale reads (-want +got):\n%s", diff)
	}
	// Once reads catch up, the run's own annotation decides.
	h.stale.Store(false)
	h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.State{"pending", "success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states (-want +got):\n%s", diff)
	}
}

func TestReconcileAfterRestartDoesNotReportAgain(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	pr.Annotations[run.AnnotationReportedState] = "pending"
	h := newHarness(t, pr)
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if got := h.scm.sent(); len(got) != 0 {
		t.Errorf("reported %v for a run annotated as reported", got)
	}
}

func TestReconcileSkipReport(t *testing.T) {
	pr := newRun(t, "quiet", reportEvent)
	h := newHarness(t, pr)
	h.setStatus(t, pr, corev1.ConditionFalse, "Failed")
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if got := h.scm.sent(); len(got) != 0 {
		t.Errorf("reported %v for a skip_report job", got)
	}
	if got := h.reportedState(t, pr); got != "" {
		t.Errorf("reported-state annotation = %q, want none", got)
	}
}

func TestReconcileReporterError(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	down := errors.New("scm down")
	h.scm.fail = down
	if err := h.reconcile(t, pr); !errors.Is(err, down) {
		t.Fatalf("Reconcile() error = %v, want one wrapping %v", err, down)
	}
	if got := h.reportedState(t, pr); got != "" {
		t.Errorf("reported-state annotation = %q after a failed report, want none", got)
	}

	h.scm.fail = nil
	if err := h.reconcile(t, pr); err != nil {
		t.Fatalf("retry: Reconcile: %v", err)
	}
	if diff := cmp.Diff([]providers.State{"pending"}, states(h.scm.sent())); diff != "" {
		t.Errorf("retry: reported states (-want +got):\n%s", diff)
	}
	if got := h.reportedState(t, pr); got != "pending" {
		t.Errorf("retry: reported-state annotation = %q, want pending", got)
	}
}

func TestReconcileNothingToReport(t *testing.T) {
	other := reportEvent
	other.Instance = "unconfigured"
	tests := []struct {
		name string
		pr   *pipelinev1.PipelineRun
		objs []client.Object
	}{
		{name: "run deleted", pr: newRun(t, "unit", reportEvent)},
		{name: "instance not configured", pr: newRun(t, "unit", other), objs: []client.Object{newRun(t, "unit", other)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.objs...)
			if err := h.reconcile(t, tc.pr); err != nil {
				t.Errorf("Reconcile() = %v, want nil", err)
			}
			if got := h.scm.sent(); len(got) != 0 {
				t.Errorf("reported %v, want nothing", got)
			}
		})
	}
}

func TestReconcileTargetURL(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	tmpl, err := ParseTargetURL("https://dash.example/{{.Namespace}}/{{.Name}}?job={{.Job}}&repo={{.Repo}}&sha={{.SHA}}&pr={{.Number}}")
	if err != nil {
		t.Fatalf("ParseTargetURL: %v", err)
	}
	h := newHarness(t, pr)
	h.reporter.TargetURL = tmpl
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	calls := h.scm.sent()
	if len(calls) != 1 {
		t.Fatalf("reported %v, want one status", calls)
	}
	want := "https://dash.example/ci/" + pr.Name + "?job=unit&repo=org/repo&sha=he4d&pr=7"
	if got := calls[0].Status.TargetURL; got != want {
		t.Errorf("TargetURL = %q, want %q", got, want)
	}
}

func TestReconcileTargetURLError(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	tmpl, err := ParseTargetURL("https://dash.example/{{.Cluster}}")
	if err != nil {
		t.Fatalf("ParseTargetURL: %v", err)
	}
	h := newHarness(t, pr)
	h.reporter.TargetURL = tmpl
	if err := h.reconcile(t, pr); err == nil || !strings.Contains(err.Error(), "target URL") {
		t.Errorf("Reconcile() error = %v, want a target URL error", err)
	}
	if got := h.scm.sent(); len(got) != 0 {
		t.Errorf("reported %v despite the template error", got)
	}
}

func TestParseTargetURL(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		wantNil bool
		wantErr bool
	}{
		{name: "empty means no link", text: "", wantNil: true},
		{name: "valid", text: "https://dash/{{.Name}}"},
		{name: "unclosed action", text: "https://dash/{{.Name", wantNil: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTargetURL(tc.text)
			if (err != nil) != tc.wantErr {
				t.Errorf("ParseTargetURL(%q) error = %v, want error %v", tc.text, err, tc.wantErr)
			}
			if (got == nil) != tc.wantNil {
				t.Errorf("ParseTargetURL(%q) = %v, want nil %v", tc.text, got, tc.wantNil)
			}
		})
	}
}

// TestMootRunIsReportedWithItsReason: a run fresnel cancelled because its result no
// longer matters is reported as such.
func TestMootRunIsReportedWithItsReason(t *testing.T) {
	unit, lint := newRun(t, "unit", reportEvent), newRun(t, "lint", reportEvent)
	lint.Annotations[run.AnnotationCancelled] = "a newer commit superseded it"
	h := newHarness(t, unit, lint)
	h.setStatus(t, lint, corev1.ConditionFalse, "Cancelled")
	h.setStatus(t, unit, corev1.ConditionTrue, "Succeeded")
	for _, run := range []*pipelinev1.PipelineRun{lint, unit} {
		if err := h.reconcile(t, run); err != nil {
			t.Fatal(err)
		}
	}
	sent := h.scm.sent()
	if len(sent) != 2 {
		t.Fatalf("sent %+v, want two statuses", sent)
	}
	moot, last := sent[0].Status, sent[1].Status
	if moot.State != providers.StateError || !moot.Moot || moot.Description != "Job cancelled: a newer commit superseded it." {
		t.Errorf("the cancelled run's status = %+v, want a moot error saying why", moot)
	}
	if last.State != providers.StateSuccess || last.Moot {
		t.Errorf("the other run's status = %q (moot %v), want success", last.State, last.Moot)
	}
}

// runsClient is a fake API server holding objs, with the controller
// cache's indexes of runs. While stale (when not nil) returns true, a Get
// leaves out the annotations named in hide, as a cache that has not
// caught up would.
func runsClient(t *testing.T, stale func() bool, hide []string, objs ...client.Object) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := pipelinev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).WithStatusSubresource(&pipelinev1.PipelineRun{})
	for name, keys := range run.Indexes {
		b = b.WithIndex(&pipelinev1.PipelineRun{}, name, keys)
	}
	if stale != nil {
		get := func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			err := c.Get(ctx, key, obj, opts...)
			if stale() {
				for _, a := range hide {
					delete(obj.GetAnnotations(), a)
				}
			}
			return err
		}
		b = b.WithInterceptorFuncs(interceptor.Funcs{Get: get})
	}
	return b.Build()
}
