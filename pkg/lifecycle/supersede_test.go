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
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// presubmit is a run of job on pull request pull at sha, age seconds after
// the epoch.
func presubmit(name, job, pull, sha string, age int, finished bool) *pipelinev1.PipelineRun {
	pr := &pipelinev1.PipelineRun{ObjectMeta: metav1.ObjectMeta{
		Name: name, Namespace: "ci",
		CreationTimestamp: metav1.NewTime(epoch.Add(time.Duration(age) * time.Second)),
		Labels: map[string]string{
			run.LabelManaged: "true", run.LabelType: "presubmit", run.LabelProvider: "github",
			run.LabelRepo: "org.repo", run.LabelPull: pull, run.LabelJob: job,
		},
		Annotations: map[string]string{
			run.AnnotationInstance: "public", run.AnnotationRepo: "org/repo", run.AnnotationSHA: sha, run.AnnotationContext: job,
		},
	}}
	if finished {
		pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue})
	}
	return pr
}

// cancelled lists the runs asked to stop.
func cancelled(t *testing.T, c client.Client) []string {
	t.Helper()
	var runs pipelinev1.PipelineRunList
	if err := c.List(context.Background(), &runs); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs.Items {
		if launch.CancelRequested(&r) {
			names = append(names, r.Name)
		}
	}
	return names
}

func TestSupersederCancelsRunsOnOlderCommits(t *testing.T) {
	_, c := newThrottle(t,
		presubmit("unit-old", "unit", "7", "aaa", 1, false),
		presubmit("unit-older-done", "unit", "7", "000", 0, true),
		presubmit("unit-new", "unit", "7", "bbb", 2, false),
		presubmit("unit-new-again", "unit", "7", "bbb", 3, false), // a /test on the head: kept
		presubmit("lint-old", "lint", "7", "aaa", 1, false),       // another job: its own newest
		presubmit("unit-other-pr", "unit", "8", "ccc", 0, false),
	)
	s := &Superseder{Client: c}
	before := testutil.ToFloat64(metrics.RunsSuperseded)
	for _, name := range []string{"unit-new", "unit-old", "lint-old", "unit-other-pr"} {
		if _, err := s.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "ci", Name: name}}); err != nil {
			t.Fatalf("Reconcile(%s): %v", name, err)
		}
	}
	if diff := cmp.Diff([]string{"unit-old"}, cancelled(t, c)); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(metrics.RunsSuperseded) - before; got != 1 {
		t.Errorf("fresnel_runs_superseded_total grew by %v, want 1", got)
	}
}

func TestSupersederLeavesOtherInstancesAlone(t *testing.T) {
	old := presubmit("unit-old", "unit", "7", "aaa", 1, false)
	old.Annotations[run.AnnotationInstance] = "enterprise"
	_, c := newThrottle(t, old, presubmit("unit-new", "unit", "7", "bbb", 2, false))
	s := &Superseder{Client: c}
	if _, err := s.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "ci", Name: "unit-new"}}); err != nil {
		t.Fatal(err)
	}
	if got := cancelled(t, c); len(got) != 0 {
		t.Errorf("cancelled %v: a pull request of another instance is another pull request", got)
	}
}

func TestSupersederLooksAtUnfinishedPresubmitsOnly(t *testing.T) {
	postsubmit := presubmit("post", "unit", "", "a1", 1, false)
	postsubmit.Labels[run.LabelType] = "postsubmit"
	tests := []struct {
		name string
		pr   *pipelinev1.PipelineRun
		want bool
	}{
		{"unfinished presubmit", presubmit("a", "unit", "7", "a1", 1, false), true},
		{"finished presubmit", presubmit("b", "unit", "7", "a1", 1, true), false},
		{"presubmit without a pull request", presubmit("c", "unit", "", "a1", 1, false), false},
		{"postsubmit", postsubmit, false},
	}
	for _, tc := range tests {
		if got := mayBeSuperseded(tc.pr); got != tc.want {
			t.Errorf("%s: mayBeSuperseded = %v, want %v", tc.name, got, tc.want)
		}
	}
}
