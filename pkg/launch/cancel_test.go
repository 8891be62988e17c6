package launch

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	tektonfake "github.com/tektoncd/pipeline/pkg/client/clientset/versioned/fake"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func TestCancelPullRequest(t *testing.T) {
	jobs := testJobs(t).Presubmits["org/repo"]
	run := func(job string, ev event.Event) *pipelinev1.PipelineRun {
		pr, err := PipelineRun(jobNamed(t, jobs, job), ev, "ci")
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	running := run("unit", prEvent)
	rerun := prEvent
	rerun.Delivery = "rerun"
	queued := run("unit", rerun)
	queued.Spec.Status = pipelinev1.PipelineRunSpecStatusPending
	done := run("quiet", prEvent)
	done.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue})
	otherInstance := prEvent
	otherInstance.Instance, otherInstance.Delivery = "enterprise", "other"
	elsewhere := run("unit", otherInstance)
	otherPull := prEvent
	otherPull.Number, otherPull.Delivery = prEvent.Number+1, "other-pull"
	unrelated := run("unit", otherPull)

	client := tektonfake.NewSimpleClientset(running, queued, done, elsewhere, unrelated)
	l := &Launcher{Namespace: "ci", Cancels: func(ns string) RunCanceller { return client.TektonV1().PipelineRuns(ns) }}
	got, err := l.CancelPullRequest(context.Background(), prEvent)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{queued.Name, running.Name}, sorted(got)); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
	for name, want := range map[string]pipelinev1.PipelineRunSpecStatus{
		running.Name: pipelinev1.PipelineRunSpecStatusCancelledRunFinally, // its finally tasks still run
		queued.Name:  pipelinev1.PipelineRunSpecStatusCancelled,           // it never starts
	} {
		after, err := client.TektonV1().PipelineRuns("ci").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil || after.Spec.Status != want {
			t.Errorf("%s: spec.status %q (err %v), want %q", name, after.Spec.Status, err, want)
		}
	}
	again, err := l.CancelPullRequest(context.Background(), prEvent)
	if err != nil || len(again) != 0 {
		t.Errorf("a second close cancelled %v (err %v), want nothing: the run is cancelled already", again, err)
	}
}

func sorted(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return out
}

func TestCancelRequested(t *testing.T) {
	for name, tc := range map[string]struct {
		status pipelinev1.PipelineRunSpecStatus
		want   bool
	}{
		"running":               {status: "", want: false},
		"queued":                {status: pipelinev1.PipelineRunSpecStatusPending, want: false},
		"cancelled":             {status: pipelinev1.PipelineRunSpecStatusCancelled, want: true},
		"cancelled run finally": {status: pipelinev1.PipelineRunSpecStatusCancelledRunFinally, want: true},
		"stopped run finally":   {status: pipelinev1.PipelineRunSpecStatusStoppedRunFinally, want: true},
	} {
		t.Run(name, func(t *testing.T) {
			pr := &pipelinev1.PipelineRun{Spec: pipelinev1.PipelineRunSpec{Status: tc.status}}
			if got := CancelRequested(pr); got != tc.want {
				t.Errorf("CancelRequested(spec.status %q) = %v, want %v", tc.status, got, tc.want)
			}
		})
	}
}
