package report

import (
	"context"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// RunLister lists PipelineRuns; the typed Tekton v1 client satisfies it.
type RunLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*pipelinev1.PipelineRunList, error)
}

// FailedContexts maps each context that has a run on the event's head
// commit to whether its latest run there ended in failure or error: what
// /retest reads. A context with no run on the head commit is left out, so
// that /retest can tell a job that never reported from one that passed,
// as Prow does with commit statuses.
func FailedContexts(ctx context.Context, runs RunLister, ev event.Event) (map[string]bool, error) {
	selector := labels.SelectorFromSet(labels.Set{
		run.LabelManaged: "true",
		run.LabelRepo:    launch.RepoLabel(ev.Repo.FullName),
		run.LabelSHA:     launch.LabelValue(ev.HeadSHA),
	})
	list, err := runs.List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, fmt.Errorf("report: list runs of %s@%s: %w", ev.Repo.FullName, ev.HeadSHA, err)
	}
	latest := map[string]*pipelinev1.PipelineRun{}
	for i := range list.Items {
		pr := &list.Items[i]
		if sha := pr.Annotations[run.AnnotationSHA]; sha != "" && sha != ev.HeadSHA {
			continue // the label holds a cut SHA; the annotation the whole one
		}
		ctxName := pr.Annotations[run.AnnotationContext]
		if cur, ok := latest[ctxName]; !ok || newer(pr, cur) {
			latest[ctxName] = pr
		}
	}
	results := map[string]bool{}
	for name, pr := range latest {
		state, _ := StateOf(pr)
		results[name] = state == providers.StateFailure || state == providers.StateError
	}
	return results, nil
}

// newer reports whether a was created after b. Creation times have a
// resolution of one second; within one, an unfinished run is taken as the
// newer (a rerun has not finished when its predecessor has), then the
// later start.
func newer(a, b *pipelinev1.PipelineRun) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return b.CreationTimestamp.Before(&a.CreationTimestamp)
	}
	if aDone, bDone := a.IsDone(), b.IsDone(); aDone != bDone {
		return !aDone
	}
	return a.Status.StartTime != nil && (b.Status.StartTime == nil || b.Status.StartTime.Before(a.Status.StartTime))
}
