// Package report watches the PipelineRuns fresnel manages and reports each
// state change back to the SCM the run's event came from, once.
package report

import (
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// cancelReasons are the reasons Tekton gives a run stopped on request.
var cancelReasons = map[string]bool{
	pipelinev1.PipelineRunReasonCancelled.String():               true,
	pipelinev1.PipelineRunReasonCancelledRunningFinally.String(): true,
	pipelinev1.PipelineRunReasonStoppedRunningFinally.String():   true,
}

// StateOf maps a PipelineRun's Succeeded condition to a report state and a
// short description.
func StateOf(pr *pipelinev1.PipelineRun) (providers.State, string) {
	cond := pr.Status.GetCondition(apis.ConditionSucceeded)
	switch {
	case cond == nil || cond.Status == corev1.ConditionUnknown:
		if pr.Status.StartTime != nil {
			return providers.StatePending, "Job running."
		}
		if pr.Spec.Status == pipelinev1.PipelineRunSpecStatusPending {
			return providers.StatePending, "Job queued: max_concurrency reached."
		}
		return providers.StatePending, "Job triggered."
	case cond.Status == corev1.ConditionTrue:
		return providers.StateSuccess, "Job succeeded."
	case cond.Reason == pipelinev1.PipelineRunReasonTimedOut.String():
		return providers.StateFailure, "Job timed out."
	case cancelReasons[cond.Reason] && pr.Annotations[run.AnnotationCancelled] != "":
		return providers.StateError, "Job cancelled: " + pr.Annotations[run.AnnotationCancelled] + "."
	case cancelReasons[cond.Reason]:
		return providers.StateError, "Job cancelled."
	case cond.Reason == pipelinev1.PipelineRunReasonFailed.String():
		return providers.StateFailure, "Job failed."
	}
	return providers.StateError, "Job could not run: " + cond.Reason + "."
}
