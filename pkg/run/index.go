package run

import (
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Cache indexes of runs, by what the controller looks runs up by. With
// thousands of finished runs in the cache, a lookup by labels alone reads
// every run; by index it reads only the matches.
const (
	// IndexCommit holds the runs on one commit of one repository.
	IndexCommit = "fresnel.dev/commit"
	// IndexPull holds the presubmit runs of one pull request.
	IndexPull = "fresnel.dev/pull-request"
)

// Indexes are the key functions of the indexes, for a controller's
// cache (and a fake client) to register once.
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
