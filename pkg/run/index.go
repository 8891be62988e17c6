package run

import (
	"context"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Indexes of runs, by what the controller looks runs up by. With many
// runs held, a lookup by labels alone reads every run; by index it reads
// only the matches.
const (
	// IndexCommit holds the runs on one commit of one repository.
	IndexCommit = "fresnel.dev/commit"
	// IndexPull holds the presubmit runs of one pull request.
	IndexPull = "fresnel.dev/pull-request"
)

// Indexes are the key functions of the indexes, for a controller's
// cache (and a fake client, and the settled runs' ledger) to register.
var Indexes = map[string]client.IndexerFunc{
	IndexCommit: func(o client.Object) []string { return keys(CommitKey(o.GetLabels())) },
	IndexPull:   func(o client.Object) []string { return keys(PullKey(o.GetLabels())) },
}

// CommitKey is a run's IndexCommit key, from its labels; "" when it has
// no commit.
func CommitKey(labels map[string]string) string {
	if labels[LabelRepo] == "" || labels[LabelSHA] == "" {
		return ""
	}
	return labels[LabelRepo] + "/" + labels[LabelSHA]
}

// Cached selects the runs the controller's cache holds: those fresnel
// manages that are not settled.
func Cached() labels.Selector {
	managed, _ := labels.NewRequirement(LabelManaged, selection.Equals, []string{"true"})
	unsettled, _ := labels.NewRequirement(LabelSettled, selection.DoesNotExist, nil)
	return labels.NewSelector().Add(*managed, *unsettled)
}

// PullKey is a presubmit run's IndexPull key, from its labels; "" for any
// other run.
func PullKey(labels map[string]string) string {
	if labels[LabelType] != "presubmit" || labels[LabelPull] == "" || labels[LabelRepo] == "" {
		return ""
	}
	return strings.Join([]string{labels[LabelProvider], labels[LabelRepo], labels[LabelPull]}, "/")
}

func keys(key string) []string {
	if key == "" {
		return nil
	}
	return []string{key}
}

// ListPages lists the metadata of the runs opts select from r, size at
// a time (the API server's paging), and calls each with every one. The
// metadata alone is a tenth of a run to send and decode, and memory holds
// one page however many runs there are.
func ListPages(ctx context.Context, r client.Reader, size int64, each func(*metav1.PartialObjectMetadata), opts ...client.ListOption) error {
	next := ""
	for {
		page := &metav1.PartialObjectMetadataList{}
		page.SetGroupVersionKind(pipelinev1.SchemeGroupVersion.WithKind("PipelineRunList"))
		if err := r.List(ctx, page, append(opts, client.Limit(size), client.Continue(next))...); err != nil {
			return err
		}
		for i := range page.Items {
			each(&page.Items[i])
		}
		if next = page.Continue; next == "" {
			return nil
		}
	}
}
