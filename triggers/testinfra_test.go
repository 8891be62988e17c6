package triggers

import (
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// The fixture is kubernetes/test-infra's job configuration, the largest
// public Prow configuration (see testdata/test-infra/README.md). The jobs
// each case expects were read from the files and agree with Prow's own
// trigger plugin run on the same files and events.
var testInfra = struct {
	once     sync.Once
	cfg      *Config
	problems Problems
}{}

func loadTestInfra(t *testing.T) (*Config, Problems) {
	t.Helper()
	testInfra.once.Do(func() {
		dir := filepath.Join("testdata", "test-infra", "config")
		testInfra.cfg, testInfra.problems = Check(filepath.Join(dir, "prow", "config.yaml"), filepath.Join(dir, "jobs"))
	})
	if testInfra.cfg == nil {
		t.Fatalf("test-infra's configuration does not load: %v", testInfra.problems.Err())
	}
	return testInfra.cfg, testInfra.problems
}

// TestTestInfraLoads: Prow loads these files, so fresnel must, with no
// error; the warnings are the documented differences (docs/config.md),
// one per job that sets such a field. The counts are those of the files
// (grep -c for each field).
func TestTestInfraLoads(t *testing.T) {
	_, problems := loadTestInfra(t)
	kinds := map[string]*regexp.Regexp{
		"cluster":                 regexp.MustCompile(`: cluster is not supported by fresnel`),
		"rerun_auth_config":       regexp.MustCompile(`: rerun_auth_config is not supported`),
		"job_queue_name":          regexp.MustCompile(`: job_queue_name is not supported`),
		"reporter_config":         regexp.MustCompile(`: reporter_config is not supported`),
		"pod_unscheduled_timeout": regexp.MustCompile(`: decoration_config\.pod_unscheduled_timeout is not supported`),
		"never runs":              regexp.MustCompile(`: never runs: skip_branches matches every branch$`),
	}
	got := map[string]int{}
	for _, p := range problems {
		if p.Severity == SeverityError {
			t.Errorf("error: %s", p)
			continue
		}
		kind := "unexpected"
		for name, re := range kinds {
			if re.MatchString(p.Message) {
				kind = name
			}
		}
		if got[kind]++; kind == "unexpected" {
			t.Errorf("unexpected warning: %s", p)
		}
	}
	want := map[string]int{
		"cluster": 3849, "rerun_auth_config": 348, "job_queue_name": 44, "reporter_config": 20,
		"pod_unscheduled_timeout": 287,
		// The *-go-compatibility presubmits of kubernetes/kubernetes skip
		// every branch: they only run when asked.
		"never runs": 3,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings by kind (-want +got):\n%s", diff)
	}
}

func TestTestInfraSelects(t *testing.T) {
	cfg, _ := loadTestInfra(t)
	k8sPR := func(base string) event.Event {
		return event.Event{Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: event.Repo{FullName: "kubernetes/kubernetes"},
			Number: 2, BaseRef: base, HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821"}
	}
	comment := k8sPR("release-1.35")
	comment.Kind, comment.Action = event.KindComment, event.ActionCreated
	comment.Comment = &event.Comment{Body: "/test pull-kubernetes-e2e-kind", Author: "alice"}
	etcdPush := func(branch string) event.Event {
		return event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "etcd-io/etcd"}, Ref: "refs/heads/" + branch, BaseRef: branch,
			HeadSHA: "2222222222222222222222222222222222222222", ChangedFiles: []string{"server/etcdserver/server.go"}}
	}
	prFiles := []string{"pkg/kubelet/kubelet.go", "test/e2e_node/foo_test.go"}
	tests := map[string]struct {
		ev    event.Event
		files []string
		want  []string
		// source names the file the one job named sourceOf must come from.
		sourceOf, source string
	}{
		"pull request to master": {ev: k8sPR("master"), files: prFiles, want: []string{
			"pull-kubernetes-cmd", "pull-kubernetes-conformance-kind-ga-only-parallel", "pull-kubernetes-dependencies",
			"pull-kubernetes-e2e-gce", "pull-kubernetes-e2e-kind", "pull-kubernetes-integration", "pull-kubernetes-linter-hints",
			"pull-kubernetes-node-e2e-containerd", "pull-kubernetes-node-kubelet-serial-containerd",
			"pull-kubernetes-node-kubelet-serial-containerd-slow", "pull-kubernetes-typecheck", "pull-kubernetes-unit",
			"pull-kubernetes-unit-windows-master", "pull-kubernetes-verify",
		}, sourceOf: "pull-kubernetes-e2e-kind", source: "kubernetes/sig-testing/kubernetes-kind-presubmits.yaml"},
		"pull request to a release branch": {ev: k8sPR("release-1.34"), files: prFiles, want: []string{
			"pull-kubernetes-cmd", "pull-kubernetes-cmd-go-compatibility", "pull-kubernetes-conformance-kind-ga-only-parallel",
			"pull-kubernetes-dependencies", "pull-kubernetes-e2e-gce", "pull-kubernetes-e2e-kind", "pull-kubernetes-integration",
			"pull-kubernetes-integration-go-compatibility", "pull-kubernetes-linter-hints", "pull-kubernetes-node-e2e-containerd",
			"pull-kubernetes-typecheck", "pull-kubernetes-unit", "pull-kubernetes-unit-go-compatibility", "pull-kubernetes-verify",
		}, sourceOf: "pull-kubernetes-e2e-kind", source: "kubernetes/sig-release/release-branch-jobs/1.34.yaml"},
		"/test of a job defined once per branch": {ev: comment, files: prFiles, want: []string{"pull-kubernetes-e2e-kind"},
			sourceOf: "pull-kubernetes-e2e-kind", source: "kubernetes/sig-release/release-branch-jobs/1.35.yaml"},
		"push to a release branch": {ev: etcdPush("release-3.6"), want: []string{
			"post-etcd-build", "post-etcd-coverage-report", "post-etcd-e2e-386", "post-etcd-e2e-amd64", "post-etcd-e2e-arm64",
			"post-etcd-govulncheck", "post-etcd-integration-4-cpu-amd64", "post-etcd-integration-4-cpu-arm64",
			"post-etcd-unit-test-386", "post-etcd-unit-test-amd64", "post-etcd-unit-test-arm64", "post-etcd-verify",
		}},
		"push to an older release branch": {ev: etcdPush("release-3.5"), want: []string{
			"post-etcd-e2e-386", "post-etcd-e2e-amd64", "post-etcd-govulncheck", "post-etcd-integration-4-cpu-amd64",
			"post-etcd-integration-4-cpu-arm64", "post-etcd-unit-test-386", "post-etcd-unit-test-amd64", "post-etcd-unit-test-arm64",
			"post-etcd-verify",
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sel, err := cfg.Select(tc.ev, files(tc.files...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if tc.sourceOf != "" {
				checkSource(t, sel.Runs, tc.sourceOf, tc.source)
			}
		})
	}
}

// checkSource asserts that exactly one run is named name (its copies for
// other branches do not match) and that it is the one in file.
func checkSource(t *testing.T, runs []*Job, name, file string) {
	t.Helper()
	var found []string
	for _, j := range runs {
		if j.Name == name {
			found = append(found, filepath.ToSlash(j.Source))
		}
	}
	want := filepath.ToSlash(filepath.Join("testdata", "test-infra", "config", "jobs", file))
	if diff := cmp.Diff([]string{want}, found); diff != "" {
		t.Errorf("files of the runs named %s (-want +got):\n%s", name, diff)
	}
}
