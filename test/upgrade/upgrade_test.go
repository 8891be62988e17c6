// Package upgrade checks that PipelineRuns written by an earlier fresnel
// are still reported and managed by this one: the labels and annotations
// on a run are a contract between versions (docs/architecture.md).
package upgrade

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/lifecycle"
	"github.com/fresnel-ci/fresnel/pkg/report"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all" // registers the github kind
	"github.com/fresnel-ci/fresnel/test/harness"
	"github.com/fresnel-ci/fresnel/triggers"
)

// oldVersion is the commit whose pkg/launch wrote testdata/<oldVersion>-*.yaml.
const oldVersion = "04bd723"

// jobs is the configuration the fixtures were made from, unchanged.
const jobs = `
presubmits:
  acme/widgets:
  - name: unit
    context: ci/unit
    always_run: true
    max_concurrency: 1
    pipeline_run_spec: {pipelineRef: {name: build}}
  - name: lint
    context: ci/lint
    always_run: true
    pipeline_run_spec: {pipelineRef: {name: build}}
`

// opened is the event the fixtures were made for.
var opened = event.Event{
	Provider: "github", Instance: "public", Delivery: "9a1c0e00-0000-4000-8000-000000000001",
	Kind: event.KindPullRequest, Action: event.ActionOpened,
	Repo: event.Repo{Owner: "acme", Name: "widgets", FullName: "acme/widgets",
		CloneURL: "https://github.com/acme/widgets.git", Link: "https://github.com/acme/widgets"},
	BaseRef: "main", BaseSHA: "0000000000000000000000000000000000000b05", HeadSHA: "1111111111111111111111111111111111111111",
	Number: 7, Author: "octocat", PullRef: "refs/pull/7/head", Link: "https://github.com/acme/widgets/pull/7",
}

var created = time.Date(2026, 12, 6, 6, 30, 0, 0, time.UTC)

// oldRun reads the run the old version wrote for job, as the apiserver
// would hold it.
func oldRun(t *testing.T, job string) *pipelinev1.PipelineRun {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", oldVersion+"-"+job+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pr pipelinev1.PipelineRun
	if err := yaml.UnmarshalStrict(b, &pr); err != nil {
		t.Fatalf("%s: %v", job, err)
	}
	pr.UID = types.UID("uid-" + pr.Name)
	pr.CreationTimestamp = metav1.NewTime(created)
	return &pr
}

// newRun builds the run this version writes for job and ev.
func newRun(t *testing.T, job string, ev event.Event) *pipelinev1.PipelineRun {
	t.Helper()
	cfg, err := triggers.Parse([]byte(jobs), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range cfg.Presubmits["acme/widgets"] {
		if j.Name == job {
			pr, err := launch.PipelineRun(j, ev, "ci")
			if err != nil {
				t.Fatal(err)
			}
			pr.UID = types.UID("uid-" + pr.Name)
			pr.CreationTimestamp = metav1.NewTime(created.Add(time.Minute))
			return pr
		}
	}
	t.Fatalf("no job %q", job)
	return nil
}

// cluster is a fake apiserver holding runs, and the controller's loops
// of this version over it, reporting to a stand-in GitHub.
type cluster struct {
	client     client.Client
	github     *harness.FakeSCM
	reporter   *report.Reporter
	throttle   *lifecycle.Throttle
	superseder *lifecycle.Superseder
}

func newCluster(t *testing.T, runs ...*pipelinev1.PipelineRun) *cluster {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := pipelinev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	objs := make([]client.Object, len(runs))
	for i, r := range runs {
		objs[i] = r
	}
	c := indexed(fake.NewClientBuilder().WithScheme(scheme)).WithObjects(objs...).
		WithStatusSubresource(&pipelinev1.PipelineRun{}).Build()
	gh := harness.NewFakeGitHub()
	t.Cleanup(gh.Close)
	set, err := providers.NewSet([]providers.Config{{Kind: "github", Name: "public", URL: gh.URL, Secret: []byte("s"), Token: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{
		client: c, github: gh,
		reporter:   &report.Reporter{Client: c, Instances: set},
		throttle:   &lifecycle.Throttle{Live: c, Client: c},
		superseder: &lifecycle.Superseder{Client: c},
	}
}

func (c *cluster) get(t *testing.T, name string) *pipelinev1.PipelineRun {
	t.Helper()
	var pr pipelinev1.PipelineRun
	if err := c.client.Get(context.Background(), types.NamespacedName{Namespace: "ci", Name: name}, &pr); err != nil {
		t.Fatal(err)
	}
	return &pr
}

// finish gives the stored run Tekton's final condition.
func (c *cluster) finish(t *testing.T, name string, status corev1.ConditionStatus, reason string) {
	t.Helper()
	pr := c.get(t, name)
	pr.Status.StartTime = &metav1.Time{Time: created}
	pr.Status.CompletionTime = &metav1.Time{Time: created.Add(time.Minute)}
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: reason})
	if err := c.client.Status().Update(context.Background(), pr); err != nil {
		t.Fatal(err)
	}
}

func reconcile(t *testing.T, r interface {
	Reconcile(context.Context, ctrl.Request) (ctrl.Result, error)
}, name string) {
	t.Helper()
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "ci", Name: name}}
	if _, err := r.Reconcile(context.Background(), req); err != nil {
		t.Fatalf("Reconcile(%s): %v", name, err)
	}
}

// TestThisVersionWritesWhatTheOldOneRead checks that a run this version
// creates carries every label and annotation the old version wrote, with
// the same value: selectors over old and new runs together (one commit's
// runs, one pull request's, one job's) find both.
func TestThisVersionWritesWhatTheOldOneRead(t *testing.T) {
	for _, job := range []string{"unit", "lint"} {
		t.Run(job, func(t *testing.T) {
			old, cur := oldRun(t, job), newRun(t, job, opened)
			if cur.Name != old.Name {
				t.Errorf("name %s, the old version's %s: a redelivery across the upgrade would run the job twice", cur.Name, old.Name)
			}
			for what, pair := range map[string][2]map[string]string{
				"labels":      {old.Labels, cur.Labels},
				"annotations": {old.Annotations, cur.Annotations},
			} {
				kept := maps.Clone(pair[1])
				maps.DeleteFunc(kept, func(k, _ string) bool { _, ok := pair[0][k]; return !ok })
				if diff := cmp.Diff(pair[0], kept); diff != "" {
					t.Errorf("%s the old version wrote (-%s +now):\n%s", what, oldVersion, diff)
				}
			}
		})
	}
}

func TestOldRunIsStartedReportedAndSuperseded(t *testing.T) {
	unit, lint := oldRun(t, "unit"), oldRun(t, "lint")
	c := newCluster(t, unit, lint)

	// The throttle starts the old pending run of the max_concurrency job.
	reconcile(t, c.throttle, unit.Name)
	if got := c.get(t, unit.Name).Spec.Status; got != "" {
		t.Fatalf("old queued run not started: spec.status %q", got)
	}

	// The reporter reports the old runs to the instance their labels and
	// annotations name, on the commit they name, and records it on them.
	reconcile(t, c.reporter, unit.Name)
	c.finish(t, lint.Name, corev1.ConditionTrue, "Succeeded")
	reconcile(t, c.reporter, lint.Name)
	want := []harness.GitHubStatus{
		{Repo: "acme/widgets", SHA: opened.HeadSHA, State: "pending", Context: "ci/unit", Description: "Job triggered."},
		{Repo: "acme/widgets", SHA: opened.HeadSHA, State: "success", Context: "ci/lint", Description: "Job succeeded."},
	}
	if diff := cmp.Diff(want, c.github.GitHubStatuses()); diff != "" {
		t.Fatalf("statuses for the old runs (-want +got):\n%s", diff)
	}
	if got := c.get(t, lint.Name).Annotations[run.AnnotationReportedState]; got != "success" {
		t.Errorf("old run's %s = %q, want success", run.AnnotationReportedState, got)
	}

	// A push after the upgrade: this version's run on the new commit
	// supersedes the old version's unfinished run of the same job.
	pushed := opened
	pushed.Action, pushed.Delivery, pushed.HeadSHA = event.ActionSynchronize, "after-upgrade", "2222222222222222222222222222222222222222"
	next := newRun(t, "unit", pushed)
	if err := c.client.Create(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	reconcile(t, c.superseder, next.Name)
	stopped := c.get(t, unit.Name)
	if !launch.CancelRequested(stopped) || stopped.Annotations[run.AnnotationCancelled] == "" {
		t.Fatalf("old run not cancelled as superseded: spec.status %q, annotations %v", stopped.Spec.Status, stopped.Annotations)
	}
	if launch.CancelRequested(c.get(t, next.Name)) {
		t.Error("the new run was cancelled too")
	}

	// Tekton stops it; the reporter says why, on the old commit.
	c.finish(t, unit.Name, corev1.ConditionFalse, pipelinev1.PipelineRunReasonCancelled.String())
	reconcile(t, c.reporter, unit.Name)
	statuses := c.github.GitHubStatuses()
	last := statuses[len(statuses)-1]
	wantLast := harness.GitHubStatus{Repo: "acme/widgets", SHA: opened.HeadSHA, State: "error", Context: "ci/unit",
		Description: "Job cancelled: a newer commit superseded it."}
	if diff := cmp.Diff(wantLast, last); diff != "" {
		t.Errorf("report of the superseded old run (-want +got):\n%s", diff)
	}
}

// indexed registers the controller's cache indexes of runs on b, as the
// controller does on its cache.
func indexed(b *fake.ClientBuilder) *fake.ClientBuilder {
	for name, keys := range run.Indexes {
		b = b.WithIndex(&pipelinev1.PipelineRun{}, name, keys)
	}
	return b
}
