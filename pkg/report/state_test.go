package report

import (
	"testing"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/providers"
)

// withCondition returns a run whose Succeeded condition has status and
// reason; an empty status leaves the run without a condition.
func withCondition(status corev1.ConditionStatus, reason string, started bool) *pipelinev1.PipelineRun {
	pr := &pipelinev1.PipelineRun{}
	if status != "" {
		pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: reason})
	}
	if started {
		pr.Status.StartTime = &metav1.Time{}
	}
	return pr
}

func queuedRun() *pipelinev1.PipelineRun {
	pr := withCondition(corev1.ConditionUnknown, "PipelineRunPending", false)
	pr.Spec.Status = pipelinev1.PipelineRunSpecStatusPending
	return pr
}

func TestStateOf(t *testing.T) {
	tests := []struct {
		name     string
		pr       *pipelinev1.PipelineRun
		want     providers.State
		wantDesc string
	}{
		{name: "no condition", pr: withCondition("", "", false), want: providers.StatePending, wantDesc: "Job triggered."},
		{name: "no condition, started", pr: withCondition("", "", true), want: providers.StatePending, wantDesc: "Job running."},
		{name: "unknown, not started", pr: withCondition(corev1.ConditionUnknown, "Started", false), want: providers.StatePending, wantDesc: "Job triggered."},
		{name: "unknown, running", pr: withCondition(corev1.ConditionUnknown, "Running", true), want: providers.StatePending, wantDesc: "Job running."},
		{name: "unknown, cancelling with finally", pr: withCondition(corev1.ConditionUnknown, "CancelledRunningFinally", true), want: providers.StatePending, wantDesc: "Job running."},
		{name: "queued by max_concurrency", pr: queuedRun(), want: providers.StatePending, wantDesc: "Job queued: max_concurrency reached."},
		{name: "succeeded", pr: withCondition(corev1.ConditionTrue, "Succeeded", true), want: providers.StateSuccess, wantDesc: "Job succeeded."},
		{name: "completed with skips", pr: withCondition(corev1.ConditionTrue, "Completed", true), want: providers.StateSuccess, wantDesc: "Job succeeded."},
		{name: "failed", pr: withCondition(corev1.ConditionFalse, "Failed", true), want: providers.StateFailure, wantDesc: "Job failed."},
		{name: "timed out", pr: withCondition(corev1.ConditionFalse, "PipelineRunTimeout", true), want: providers.StateFailure, wantDesc: "Job timed out."},
		{name: "cancelled", pr: withCondition(corev1.ConditionFalse, "Cancelled", true), want: providers.StateError, wantDesc: "Job cancelled."},
		{name: "cancelled running finally", pr: withCondition(corev1.ConditionFalse, "CancelledRunningFinally", true), want: providers.StateError, wantDesc: "Job cancelled."},
		{name: "stopped running finally", pr: withCondition(corev1.ConditionFalse, "StoppedRunningFinally", true), want: providers.StateError, wantDesc: "Job cancelled."},
		{name: "pipeline not found", pr: withCondition(corev1.ConditionFalse, "CouldntGetPipeline", false), want: providers.StateError, wantDesc: "Job could not run: CouldntGetPipeline."},
		{name: "validation failed", pr: withCondition(corev1.ConditionFalse, "PipelineValidationFailed", false), want: providers.StateError, wantDesc: "Job could not run: PipelineValidationFailed."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, desc := StateOf(tc.pr)
			if got != tc.want || desc != tc.wantDesc {
				t.Errorf("StateOf() = %q, %q, want %q, %q", got, desc, tc.want, tc.wantDesc)
			}
		})
	}
}
