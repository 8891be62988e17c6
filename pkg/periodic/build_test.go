package periodic

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

func TestBuildNamesARunAfterItsTickAndGivesItItsExtraRefs(t *testing.T) {
	job := periodicJob(t, "nightly-e2e", `cron: "0 3 * * *"`)
	opts := launch.Options{Namespace: ns}
	pr, err := Build(job, at("2026-12-07T03:00:00Z"), opts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Build(job, at("2026-12-07T03:00:00Z"), opts)
	next, _ := Build(job, at("2026-12-08T03:00:00Z"), opts)
	if pr.Name != again.Name || pr.Name == next.Name || !strings.HasPrefix(pr.Name, "nightly-e2e-") {
		t.Errorf("names %s, %s (same tick), %s (next tick): want one name per tick", pr.Name, again.Name, next.Name)
	}
	got := map[string]string{}
	for _, p := range pr.Spec.Params {
		got[p.Name] = p.Value.StringVal
	}
	want := map[string]string{
		"JOB_NAME": "nightly-e2e", "JOB_TYPE": "periodic", "BUILD_ID": pr.Name,
		"REPO_OWNER": "acme", "REPO_NAME": "widgets", "REPO_URL": "https://github.com/acme/widgets.git",
		"PULL_BASE_REF": "main",
	}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("param %s = %q, want %q", name, got[name], value)
		}
	}
	if !strings.Contains(got["JOB_SPEC"], `"extra_refs":[{"org":"acme","repo":"widgets"`) {
		t.Errorf("JOB_SPEC lacks the extra_refs: %s", got["JOB_SPEC"])
	}
	meta := map[string]string{
		"type": pr.Labels[run.LabelType], "job": pr.Labels[run.LabelJob], "repo": pr.Labels[run.LabelRepo],
		"scheduled": pr.Annotations[run.AnnotationScheduled], "delivery": pr.Annotations[run.AnnotationDelivery],
	}
	wantMeta := map[string]string{
		"type": "periodic", "job": "nightly-e2e", "repo": "acme.widgets",
		"scheduled": "2026-12-07T03:00:00Z", "delivery": "periodic@2026-12-07T03:00:00Z",
	}
	if diff := cmp.Diff(wantMeta, meta); diff != "" {
		t.Errorf("labels and annotations (-want +got):\n%s", diff)
	}
}

func TestResultsCountEachFinishOnce(t *testing.T) {
	job := periodicJob(t, "counted", "interval: 1h")
	running, err := Build(job, at("2026-12-07T03:00:00Z"), launch.Options{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	failed := running.DeepCopy()
	failed.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionFalse, Reason: pipelinev1.PipelineRunReasonFailed.String()})
	presubmitRunning, presubmitFailed := running.DeepCopy(), failed.DeepCopy()
	presubmitRunning.Labels[run.LabelType], presubmitFailed.Labels[run.LabelType] = "presubmit", "presubmit"
	before := testutil.ToFloat64(metrics.PeriodicRuns.WithLabelValues("counted", "failure"))
	nudged := 0
	r := &Results{Finished: func() { nudged++ }}

	r.update(running, running)                  // still running
	r.update(running, failed)                   // finished: counted
	r.update(failed, failed)                    // a later update of a finished run
	r.update(presubmitRunning, presubmitFailed) // not a periodic

	if got := testutil.ToFloat64(metrics.PeriodicRuns.WithLabelValues("counted", "failure")) - before; got != 1 || nudged != 1 {
		t.Errorf("counted %v failures and nudged %d times, want 1 and 1", got, nudged)
	}
}
