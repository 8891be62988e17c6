package run

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestIndexKeys(t *testing.T) {
	labels := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name         string
		labels       map[string]string
		commit, pull string
	}{
		{"presubmit", labels(LabelType, "presubmit", LabelProvider, "github", LabelRepo, "org.repo", LabelPull, "7", LabelSHA, "abc"), "org.repo/abc", "github/org.repo/7"},
		{"postsubmit", labels(LabelType, "postsubmit", LabelProvider, "github", LabelRepo, "org.repo", LabelSHA, "abc"), "org.repo/abc", ""},
		{"presubmit of no pull request", labels(LabelType, "presubmit", LabelRepo, "org.repo", LabelSHA, "abc"), "org.repo/abc", ""},
		{"periodic without a commit", labels(LabelType, "periodic", LabelJob, "nightly"), "", ""},
	}
	for _, tc := range tests {
		if got := CommitKey(tc.labels); got != tc.commit {
			t.Errorf("%s: CommitKey = %q, want %q", tc.name, got, tc.commit)
		}
		if got := PullKey(tc.labels); got != tc.pull {
			t.Errorf("%s: PullKey = %q, want %q", tc.name, got, tc.pull)
		}
		o := &unstructured.Unstructured{}
		o.SetLabels(tc.labels)
		if got := Indexes[IndexPull](o); (len(got) == 1) != (tc.pull != "") {
			t.Errorf("%s: index %s keys %q", tc.name, IndexPull, got)
		}
	}
}
