package catchup

import (
	"context"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// PipelineRunLister lists PipelineRuns; the typed Tekton v1 client of a
// namespace satisfies it.
type PipelineRunLister interface {
	List(ctx context.Context, opts metav1.ListOptions) (*pipelinev1.PipelineRunList, error)
}

// ClusterRuns answers Runs from the PipelineRuns of one namespace.
type ClusterRuns struct {
	Runs PipelineRunLister
}

// HasRuns lists the runs labelled with repo and sha and keeps those of
// instance whose full SHA is sha (the label is cut to 63 characters).
func (c ClusterRuns) HasRuns(ctx context.Context, instance, repo, sha string) (bool, error) {
	sel := labels.Set{run.LabelManaged: "true", run.LabelRepo: launch.RepoLabel(repo), run.LabelSHA: launch.LabelValue(sha)}
	list, err := c.Runs.List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return false, fmt.Errorf("catchup: list runs: %w", err)
	}
	for _, pr := range list.Items {
		a := pr.Annotations
		if a[run.AnnotationInstance] == instance && a[run.AnnotationRepo] == repo && a[run.AnnotationSHA] == sha {
			return true, nil
		}
	}
	return false, nil
}

// Ping lists at most one run: it fails while the cluster is unreachable.
func (c ClusterRuns) Ping(ctx context.Context) error {
	if _, err := c.Runs.List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return fmt.Errorf("catchup: ping the cluster: %w", err)
	}
	return nil
}
