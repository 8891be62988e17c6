package run

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// IndexPull is the cache index of the presubmit runs of one pull
// request. With many runs in the cache, a lookup by labels alone reads
// every run; by index it reads only the matches.
const IndexPull = "fresnel.dev/pull-request"

// Indexes are the key functions of the cache's indexes, for a
// controller's cache (and a fake client) to register once.
var Indexes = map[string]client.IndexerFunc{
	IndexPull: func(o client.Object) []string { return keys(PullKey(o.GetLabels())) },
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
