package launch

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fresnel-ci/fresnel/triggers"
)

var errDown = errors.New("apiserver down")

// fakeRuns stands in for the Tekton client: it keeps created runs by name
// and answers AlreadyExists for a name it holds, as the apiserver does.
type fakeRuns struct {
	mu      sync.Mutex
	down    bool
	calls   int
	created map[string]*pipelinev1.PipelineRun
	// namespaces records the namespace each Create went to.
	namespaces []string
}

func (f *fakeRuns) forNamespace(ns string) RunCreator {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.namespaces = append(f.namespaces, ns)
	return f
}

func (f *fakeRuns) Create(_ context.Context, pr *pipelinev1.PipelineRun, _ metav1.CreateOptions) (*pipelinev1.PipelineRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return nil, errDown
	}
	if _, ok := f.created[pr.Name]; ok {
		return nil, apierrors.NewAlreadyExists(schema.GroupResource{Group: "tekton.dev", Resource: "pipelineruns"}, pr.Name)
	}
	if f.created == nil {
		f.created = map[string]*pipelinev1.PipelineRun{}
	}
	f.created[pr.Name] = pr
	return pr, nil
}

func presubmits(t *testing.T, names ...string) []*triggers.Job {
	t.Helper()
	all := testJobs(t).Presubmits["org/repo"]
	jobs := make([]*triggers.Job, 0, len(names))
	for _, n := range names {
		jobs = append(jobs, jobNamed(t, all, n))
	}
	return jobs
}

func TestLaunchCreatesOnceAndAcceptsRedelivery(t *testing.T) {
	runs := &fakeRuns{}
	l := &Launcher{Runs: runs.forNamespace, Namespace: "ci"}
	jobs := presubmits(t, "unit", "quiet")

	first, err := l.Launch(context.Background(), prEvent, jobs)
	if err != nil {
		t.Fatalf("first Launch: %v", err)
	}
	want := []Run{
		{Name: RunName("public", "org/repo", "d-1", "unit"), Job: "unit", Context: "ci/unit", Created: true},
		{Name: RunName("public", "org/repo", "d-1", "quiet"), Job: "quiet", Context: "quiet", Created: true},
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first Launch (-want +got):\n%s", diff)
	}

	again, err := l.Launch(context.Background(), prEvent, jobs)
	if err != nil {
		t.Fatalf("redelivered Launch: %v", err)
	}
	for i := range want {
		want[i].Created = false
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("redelivered Launch (-want +got):\n%s", diff)
	}

	if runs.calls != 4 || len(runs.created) != 2 {
		t.Errorf("Create called %d times holding %d runs, want 4 calls and 2 runs", runs.calls, len(runs.created))
	}
	for name, pr := range runs.created {
		if pr.Namespace != "ci" {
			t.Errorf("run %s created in namespace %q, want ci", name, pr.Namespace)
		}
	}
	if diff := cmp.Diff([]string{"ci", "ci", "ci", "ci"}, runs.namespaces); diff != "" {
		t.Errorf("namespaces asked for (-want +got):\n%s", diff)
	}
}

func TestLaunchNewDeliveryCreatesNewRuns(t *testing.T) {
	runs := &fakeRuns{}
	l := &Launcher{Runs: runs.forNamespace, Namespace: "ci"}
	jobs := presubmits(t, "unit")
	ev := prEvent
	for _, delivery := range []string{"d-1", "d-2"} {
		ev.Delivery = delivery
		got, err := l.Launch(context.Background(), ev, jobs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].Created {
			t.Errorf("Launch for delivery %s = %+v, want one created run", delivery, got)
		}
	}
	if len(runs.created) != 2 {
		t.Errorf("holding %d runs, want 2", len(runs.created))
	}
}

func TestLaunchCreatorFails(t *testing.T) {
	runs := &fakeRuns{down: true}
	l := &Launcher{Runs: runs.forNamespace, Namespace: "ci"}
	got, err := l.Launch(context.Background(), prEvent, presubmits(t, "unit", "quiet"))
	if !errors.Is(err, errDown) {
		t.Fatalf("Launch() error = %v, want one wrapping %v", err, errDown)
	}
	if len(got) != 2 {
		t.Fatalf("Launch() = %+v, want two runs", got)
	}
	for _, r := range got {
		if r.Created {
			t.Errorf("run %s is Created though Create failed", r.Job)
		}
	}
}

func TestLaunchNoJobs(t *testing.T) {
	runs := &fakeRuns{}
	l := &Launcher{Runs: runs.forNamespace, Namespace: "ci"}
	got, err := l.Launch(context.Background(), prEvent, nil)
	if err != nil || len(got) != 0 || runs.calls != 0 {
		t.Errorf("Launch(no jobs) = %v, %v after %d creates, want nothing", got, err, runs.calls)
	}
}

func TestLaunchBadJobCreatesNothing(t *testing.T) {
	cfg, err := triggers.Parse([]byte(`
presubmits:
  org/repo:
  - name: broken
    pipeline_run_spec: {pipelineRef: {name: build}}
    pipeline_run_params: [{name: x, value_template: "{{ .PULL_NUMBER"}]
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runs := &fakeRuns{}
	l := &Launcher{Runs: runs.forNamespace, Namespace: "ci"}
	got, err := l.Launch(context.Background(), prEvent, cfg.Presubmits["org/repo"])
	if err == nil {
		t.Error("Launch of a job with a bad template: want an error")
	}
	if runs.calls != 0 {
		t.Errorf("Create called %d times, want 0", runs.calls)
	}
	if len(got) != 1 || got[0].Job != "broken" || got[0].Created {
		t.Errorf("Launch() = %+v, want one uncreated run of broken", got)
	}
}
