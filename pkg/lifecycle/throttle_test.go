package lifecycle

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// runState is how a test run starts out.
type runState int

const (
	queued runState = iota
	running
	finished
)

func queuedRun(name, job string, limit string, age int, state runState) *pipelinev1.PipelineRun {
	pr := &pipelinev1.PipelineRun{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: "ci",
			CreationTimestamp: metav1.NewTime(epoch.Add(time.Duration(age) * time.Second)),
			Labels:            map[string]string{run.LabelManaged: "true", run.LabelJob: job},
			Annotations:       map[string]string{run.AnnotationMaxConcurrency: limit},
		},
	}
	switch state {
	case queued:
		pr.Spec.Status = pipelinev1.PipelineRunSpecStatusPending
	case finished:
		pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue})
	}
	return pr
}

func newThrottle(t *testing.T, runs ...*pipelinev1.PipelineRun) (*Throttle, client.Client) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := pipelinev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	objs := make([]client.Object, len(runs))
	for i, r := range runs {
		objs[i] = r
	}
	c := indexed(fake.NewClientBuilder().WithScheme(scheme)).WithObjects(objs...).Build()
	return &Throttle{Live: c, Client: c}, c
}

// started lists the runs whose spec.status is no longer pending.
func started(t *testing.T, c client.Client) []string {
	t.Helper()
	var runs pipelinev1.PipelineRunList
	if err := c.List(context.Background(), &runs); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs.Items {
		if r.Spec.Status != pipelinev1.PipelineRunSpecStatusPending {
			names = append(names, r.Name)
		}
	}
	return names
}

func reconcile(t *testing.T, th *Throttle, name string) {
	t.Helper()
	_, err := th.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "ci", Name: name}})
	if err != nil {
		t.Fatalf("Reconcile(%s): %v", name, err)
	}
}

func TestStartsOldestQueuedUpToTheLimit(t *testing.T) {
	th, c := newThrottle(t,
		queuedRun("c", "e2e", "2", 3, queued),
		queuedRun("a", "e2e", "2", 1, queued),
		queuedRun("b", "e2e", "2", 2, queued),
		queuedRun("other", "lint", "1", 0, queued),
	)
	before := testutil.ToFloat64(metrics.QueuedRunsStarted)
	reconcile(t, th, "c")
	if diff := cmp.Diff([]string{"a", "b"}, started(t, c)); diff != "" {
		t.Errorf("started (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(metrics.QueuedRunsStarted) - before; got != 2 {
		t.Errorf("fresnel_queued_runs_started_total grew by %v, want 2", got)
	}
	reconcile(t, th, "a")
	if diff := cmp.Diff([]string{"a", "b"}, started(t, c)); diff != "" {
		t.Errorf("a second pass with no free slot started more (-want +got):\n%s", diff)
	}
}

func TestFinishedRunsFreeTheirSlot(t *testing.T) {
	th, c := newThrottle(t,
		queuedRun("done", "e2e", "1", 0, finished),
		queuedRun("busy", "e2e", "1", 1, running),
		queuedRun("next", "e2e", "1", 2, queued),
	)
	reconcile(t, th, "next")
	if diff := cmp.Diff([]string{"busy", "done"}, started(t, c)); diff != "" {
		t.Errorf("with the only slot taken (-want +got):\n%s", diff)
	}

	var busy pipelinev1.PipelineRun
	if err := c.Get(context.Background(), types.NamespacedName{Namespace: "ci", Name: "busy"}, &busy); err != nil {
		t.Fatal(err)
	}
	busy.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionFalse, Reason: "Failed"})
	if err := c.Update(context.Background(), &busy); err != nil {
		t.Fatal(err)
	}
	reconcile(t, th, "busy")
	if diff := cmp.Diff([]string{"busy", "done", "next"}, started(t, c)); diff != "" {
		t.Errorf("after busy finished (-want +got):\n%s", diff)
	}
}

func TestRunsWithoutALimitAreLeftAlone(t *testing.T) {
	for _, limit := range []string{"", "0", "x"} {
		th, c := newThrottle(t, queuedRun("a", "e2e", limit, 0, queued))
		reconcile(t, th, "a")
		if got := started(t, c); len(got) != 0 {
			t.Errorf("limit %q: started %v, want none", limit, got)
		}
	}
}

func TestGoneRunIsNotAnError(t *testing.T) {
	th, _ := newThrottle(t)
	reconcile(t, th, "gone")
}

// indexed registers the controller's cache indexes of runs on b, as the
// controller does on its cache.
func indexed(b *fake.ClientBuilder) *fake.ClientBuilder {
	for name, keys := range run.Indexes {
		b = b.WithIndex(&pipelinev1.PipelineRun{}, name, keys)
	}
	return b
}
