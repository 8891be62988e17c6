package report

import (
	"context"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/providers"
)

// RunLister lists PipelineRuns; the typed Tekton v1 client satisfies it.
type RunLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*pipelinev1.PipelineRunList, error)
}

// FailedContexts returns the contexts whose latest run on the event's
// head SHA ended in failure or error: what /retest reruns.
func FailedContexts(ctx context.Context, runs RunLister, ev event.Event) (map[string]bool, error) {
	selector := labels.SelectorFromSet(labels.Set{
		launch.LabelManaged: "true",
		launch.LabelRepo:    launch.RepoLabel(ev.Repo.FullName),
		launch.LabelSHA:     launch.LabelValue(ev.HeadSHA),
	})
	list, err := runs.List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, fmt.Errorf("report: list runs of %s@%s: %w", ev.Repo.FullName, ev.HeadSHA, err)
	}
	latest := map[string]*pipelinev1.PipelineRun{}
	for i := range list.Items {
		pr := &list.Items[i]
		ctxName := pr.Annotations[launch.AnnotationContext]
		if cur, ok := latest[ctxName]; !ok || cur.CreationTimestamp.Before(&pr.CreationTimestamp) {
			latest[ctxName] = pr
		}
	}
	failed := map[string]bool{}
	for name, pr := range latest {
		if state, _ := StateOf(pr); state == providers.StateFailure || state == providers.StateError {
			failed[name] = true
		}
	}
	return failed, nil
}
