package report

import (
	"context"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// failedStep names where a failed run failed, "task/step": the first of
// its TaskRuns that failed, and in it the first step that ended with a
// non-zero exit code (the task alone when no step did, a timeout say).
// TaskRuns are read from the API server directly, not cached: the
// controller keeps no informer on them. What cannot be read leaves the
// name out; the report goes on without it.
func (r *Reporter) failedStep(ctx context.Context, pr *pipelinev1.PipelineRun) string {
	reader := r.reader()
	for _, child := range pr.Status.ChildReferences {
		if child.Kind != "" && child.Kind != "TaskRun" {
			continue
		}
		var tr pipelinev1.TaskRun
		if err := reader.Get(ctx, types.NamespacedName{Namespace: pr.Namespace, Name: child.Name}, &tr); err != nil {
			logger := log.FromContext(ctx)
			if !apierrors.IsForbidden(err) {
				logger = logger.V(1) // gone already, say; a missing right is worth seeing
			}
			logger.Info("failed step unknown: TaskRun not read", "taskRun", child.Name, "error", err.Error())
			continue
		}
		if !taskRunFailed(&tr) {
			continue
		}
		if step := firstFailedStep(tr.Status.Steps); step != "" {
			return child.PipelineTaskName + "/" + step
		}
		return child.PipelineTaskName
	}
	return ""
}

func taskRunFailed(tr *pipelinev1.TaskRun) bool {
	cond := tr.Status.GetCondition(apis.ConditionSucceeded)
	return cond != nil && cond.Status == corev1.ConditionFalse
}

// firstFailedStep is the name of the first step that terminated with a
// non-zero exit code, "" if none did.
func firstFailedStep(steps []pipelinev1.StepState) string {
	for _, s := range steps {
		if s.Terminated != nil && s.Terminated.ExitCode != 0 {
			return s.Name
		}
	}
	return ""
}
