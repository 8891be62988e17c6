package launch

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	tektonfake "github.com/tektoncd/pipeline/pkg/client/clientset/versioned/fake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// TestCancelMergeGroup checks that a merge group that is gone cancels the
// runs on its head commit, and no pull request's runs.
func TestCancelMergeGroup(t *testing.T) {
	jobs := testJobs(t).Presubmits["org/repo"]
	group := event.Event{Provider: prEvent.Provider, Instance: prEvent.Instance, Delivery: "mg-1", Kind: event.KindMergeGroup,
		Action: event.ActionChecksRequested, Repo: prEvent.Repo, BaseRef: "main", BaseSHA: "ba5e",
		HeadSHA: "0123456789abcdef0123456789abcdef01234567"}
	otherGroup := group
	otherGroup.HeadSHA, otherGroup.Delivery = "fedcba9876543210fedcba9876543210fedcba98", "mg-2"
	var runs []*pipelinev1.PipelineRun
	for _, ev := range []event.Event{group, otherGroup, prEvent} {
		pr, err := PipelineRun(jobNamed(t, jobs, "unit"), ev, "ci")
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, pr)
	}
	client := tektonfake.NewSimpleClientset(runs[0], runs[1], runs[2])
	l := &Launcher{Namespace: "ci", Cancels: func(ns string) RunCanceller { return client.TektonV1().PipelineRuns(ns) }}
	gone := group
	gone.Action = event.ActionClosed
	got, err := l.CancelPullRequest(context.Background(), gone)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{runs[0].Name}, got); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
	after, err := client.TektonV1().PipelineRuns("ci").Get(context.Background(), runs[0].Name, metav1.GetOptions{})
	if err != nil || after.Annotations[run.AnnotationCancelled] != "the merge group is gone" {
		t.Errorf("%s: cancel reason %q (err %v), want the merge group's", runs[0].Name, after.Annotations[run.AnnotationCancelled], err)
	}
}
