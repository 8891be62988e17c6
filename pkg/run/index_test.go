package run

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	klabels "k8s.io/apimachinery/pkg/labels"
)

func set(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestIndexKeys(t *testing.T) {
	tests := []struct {
		name         string
		labels       map[string]string
		commit, pull string
	}{
		{"presubmit", set(LabelType, "presubmit", LabelProvider, "github", LabelRepo, "org.repo", LabelPull, "7", LabelSHA, "abc"), "org.repo/abc", "github/org.repo/7"},
		{"postsubmit", set(LabelType, "postsubmit", LabelProvider, "github", LabelRepo, "org.repo", LabelSHA, "abc"), "org.repo/abc", ""},
		{"presubmit of no pull request", set(LabelType, "presubmit", LabelRepo, "org.repo", LabelSHA, "abc"), "org.repo/abc", ""},
		{"periodic without a commit", set(LabelType, "periodic", LabelJob, "nightly"), "", ""},
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

func TestCachedSelectsManagedRunsNotSettled(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   bool
	}{
		{"managed", set(LabelManaged, "true", LabelType, "presubmit"), true},
		{"settled", set(LabelManaged, "true", LabelSettled, "true"), false},
		{"not managed", set(LabelType, "presubmit"), false},
	} {
		if got := Cached().Matches(klabels.Set(tc.labels)); got != tc.want {
			t.Errorf("%s: Cached() matches %v, want %v", tc.name, got, tc.want)
		}
	}
	if got, want := Cached().String(), "fresnel.dev/managed=true,!fresnel.dev/settled"; got != want {
		t.Errorf("Cached() = %q, want %q", got, want)
	}
}
