package report

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// fakeLister answers List from a fixed set of runs, filtered by the label
// selector as the apiserver would.
type fakeLister struct {
	runs      []pipelinev1.PipelineRun
	err       error
	selectors []string
}

func (f *fakeLister) List(_ context.Context, opts metav1.ListOptions) (*pipelinev1.PipelineRunList, error) {
	f.selectors = append(f.selectors, opts.LabelSelector)
	if f.err != nil {
		return nil, f.err
	}
	sel, err := labels.Parse(opts.LabelSelector)
	if err != nil {
		return nil, err
	}
	list := &pipelinev1.PipelineRunList{}
	for _, pr := range f.runs {
		if sel.Matches(labels.Set(pr.Labels)) {
			list.Items = append(list.Items, pr)
		}
	}
	return list, nil
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// managedRun is a managed run of contextName on repo@sha, created at t0+minute,
// with the given Succeeded status and reason ("" for none).
func managedRun(repo, sha, contextName string, minute int, status corev1.ConditionStatus, reason string) pipelinev1.PipelineRun {
	pr := withCondition(status, reason, true)
	pr.Name = contextName + "-" + sha
	pr.CreationTimestamp = metav1.NewTime(t0.Add(time.Duration(minute) * time.Minute))
	pr.Labels = map[string]string{
		run.LabelManaged: "true",
		run.LabelRepo:    launch.RepoLabel(repo),
		run.LabelSHA:     launch.LabelValue(sha),
	}
	pr.Annotations = map[string]string{run.AnnotationContext: contextName}
	return *pr
}

func named(pr pipelinev1.PipelineRun, name string) pipelinev1.PipelineRun {
	pr.Name = name
	return pr
}

func annotatedSHA(pr pipelinev1.PipelineRun, sha string) pipelinev1.PipelineRun {
	pr.Annotations[run.AnnotationSHA] = sha
	return pr
}

func TestFailedContexts(t *testing.T) {
	ev := event.Event{Repo: event.Repo{FullName: "org/repo"}, HeadSHA: "abc", Number: 1}
	tests := []struct {
		name string
		runs []pipelinev1.PipelineRun
		want map[string]bool
	}{
		{name: "no runs", want: map[string]bool{}},
		{
			name: "failed then passed",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionFalse, "Failed"),
				managedRun("org/repo", "abc", "unit", 2, corev1.ConditionTrue, "Succeeded"),
			},
			want: map[string]bool{"unit": false},
		},
		{
			name: "passed then failed, listed newest first",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 2, corev1.ConditionFalse, "Failed"),
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionTrue, "Succeeded"),
			},
			want: map[string]bool{"unit": true},
		},
		{
			name: "failed then running",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionFalse, "Failed"),
				managedRun("org/repo", "abc", "unit", 2, corev1.ConditionUnknown, "Running"),
			},
			want: map[string]bool{"unit": false},
		},
		{
			name: "each context on its own",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionTrue, "Succeeded"),
				managedRun("org/repo", "abc", "lint", 1, corev1.ConditionFalse, "PipelineRunTimeout"),
				managedRun("org/repo", "abc", "e2e", 1, corev1.ConditionFalse, "Cancelled"),
				managedRun("org/repo", "abc", "docs", 1, corev1.ConditionFalse, "CouldntGetPipeline"),
			},
			want: map[string]bool{"unit": false, "lint": true, "e2e": true, "docs": true},
		},
		{
			name: "runs of another commit or repo do not count",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionTrue, "Succeeded"),
				managedRun("org/repo", "def", "unit", 2, corev1.ConditionFalse, "Failed"),
				managedRun("org/fork", "abc", "unit", 3, corev1.ConditionFalse, "Failed"),
			},
			want: map[string]bool{"unit": false},
		},
		{
			name: "a rerun created in the same second as the failed run it reruns",
			runs: []pipelinev1.PipelineRun{
				managedRun("org/repo", "abc", "unit", 1, corev1.ConditionFalse, "Failed"),
				named(managedRun("org/repo", "abc", "unit", 1, corev1.ConditionUnknown, "Running"), "unit-rerun"),
			},
			want: map[string]bool{"unit": false},
		},
		{
			name: "a run whose full SHA is another commit's",
			runs: []pipelinev1.PipelineRun{
				annotatedSHA(managedRun("org/repo", "abc", "unit", 1, corev1.ConditionFalse, "Failed"), "abcdef"),
			},
			want: map[string]bool{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lister := &fakeLister{runs: tc.runs}
			got, err := FailedContexts(context.Background(), lister, ev)
			if err != nil {
				t.Fatalf("FailedContexts: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FailedContexts (-want +got):\n%s", diff)
			}
			want := "fresnel.dev/managed=true,fresnel.dev/repo=org.repo,fresnel.dev/sha=abc"
			if diff := cmp.Diff([]string{want}, lister.selectors); diff != "" {
				t.Errorf("label selectors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailedContextsListError(t *testing.T) {
	down := errors.New("apiserver down")
	got, err := FailedContexts(context.Background(), &fakeLister{err: down}, event.Event{Repo: event.Repo{FullName: "org/repo"}, HeadSHA: "abc"})
	if !errors.Is(err, down) {
		t.Errorf("FailedContexts() error = %v, want one wrapping %v", err, down)
	}
	if got != nil {
		t.Errorf("FailedContexts() = %v with an error, want nil", got)
	}
}
