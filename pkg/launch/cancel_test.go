package launch

import (
	"context"
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
	done := run("quiet", prEvent)
	done.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue})
	otherInstance := prEvent
	otherInstance.Instance, otherInstance.Delivery = "enterprise", "other"
	elsewhere := run("unit", otherInstance)
	otherPull := prEvent
	otherPull.Number, otherPull.Delivery = prEvent.Number+1, "other-pull"
	unrelated := run("unit", otherPull)

	client := tektonfake.NewSimpleClientset(running, done, elsewhere, unrelated)
	l := &Launcher{Namespace: "ci", Cancels: func(ns string) RunCanceller { return client.TektonV1().PipelineRuns(ns) }}
	got, err := l.CancelPullRequest(context.Background(), prEvent)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{running.Name}, got); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
	after, err := client.TektonV1().PipelineRuns("ci").Get(context.Background(), running.Name, metav1.GetOptions{})
	if err != nil || after.Spec.Status != pipelinev1.PipelineRunSpecStatusCancelled {
		t.Errorf("%s: spec.status %q (err %v), want Cancelled", running.Name, after.Spec.Status, err)
	}
	again, err := l.CancelPullRequest(context.Background(), prEvent)
	if err != nil || len(again) != 0 {
		t.Errorf("a second close cancelled %v (err %v), want nothing: the run is cancelled already", again, err)
	}
}
