package launch

import (
	"github.com/fresnel-ci/fresnel/pkg/run"

	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	tektonfake "github.com/tektoncd/pipeline/pkg/client/clientset/versioned/fake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// /cancel <job> stops only that job's runs, saying who asked.
func TestCancelPullRequestRunsOfOneJob(t *testing.T) {
	jobs := testJobs(t).Presubmits["org/repo"]
	unit, err := PipelineRun(jobNamed(t, jobs, "unit"), prEvent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := PipelineRun(jobNamed(t, jobs, "quiet"), prEvent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	client := tektonfake.NewSimpleClientset(unit, quiet)
	l := &Launcher{Namespace: "ci", Cancels: func(ns string) RunCanceller { return client.TektonV1().PipelineRuns(ns) }}
	got, err := l.CancelPullRequestRuns(context.Background(), prEvent, "unit", "cancelled by /cancel from @bob")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{unit.Name}, got); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
	after, err := client.TektonV1().PipelineRuns("ci").Get(context.Background(), unit.Name, metav1.GetOptions{})
	if err != nil || after.Annotations[run.AnnotationCancelled] != "cancelled by /cancel from @bob" {
		t.Errorf("%s: cancelled annotation %q (err %v)", unit.Name, after.Annotations[run.AnnotationCancelled], err)
	}
	untouched, err := client.TektonV1().PipelineRuns("ci").Get(context.Background(), quiet.Name, metav1.GetOptions{})
	if err != nil || untouched.Spec.Status != "" {
		t.Errorf("%s: spec.status %q (err %v), want untouched", quiet.Name, untouched.Spec.Status, err)
	}
}
