package report

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// Check runs (a GitHub App) are kept up to date in place: the first
// report of a run creates its check, whose id is then kept on the run
// (run.AnnotationCheckRun) so that every later report updates the same
// one. A check tells a queued run from a started one, so for an instance
// with checks the start of a run is a report of its own.

// stateRunning is the report phase of a pending run that has started, on
// instances that report checks. It is never sent as a state: it only
// records, in run.AnnotationReportedState, that "in progress" was
// reported.
const stateRunning providers.State = "running"

// phase is what the run's report is recorded as: its state, or
// stateRunning for a started pending run on an instance with checks.
func (r *Reporter) phase(pr *pipelinev1.PipelineRun, state providers.State) providers.State {
	if state != providers.StatePending || pr.Status.StartTime == nil {
		return state
	}
	in, ok := r.Instances.Get(pr.Labels[run.LabelProvider], pr.Annotations[run.AnnotationInstance])
	if _, checks := in.Intake.(providers.Checker); ok && checks {
		return stateRunning
	}
	return state
}

// sendCheck creates or updates the run's check. A run on no commit of a
// repository (a periodic without extra_refs) has nothing to attach one to.
func (r *Reporter) sendCheck(ctx context.Context, checker providers.Checker, pr *pipelinev1.PipelineRun, state providers.State, desc string) error {
	if ref := commitRef(pr); ref.Repo == "" || ref.SHA == "" {
		return nil
	}
	status, err := r.status(pr, state, desc)
	if err != nil {
		return err
	}
	c := providers.Check{Status: status, Job: jobName(pr), Started: pr.Status.StartTime != nil, Cancelled: wasCancelled(pr)}
	if (state == providers.StateFailure || state == providers.StateError) && !c.Cancelled {
		c.FailedStep = r.failedStep(ctx, pr)
	}
	kind := pr.Labels[run.LabelProvider]
	id, recorded := r.checkID(pr)
	if !recorded {
		id = r.findCheck(ctx, checker, pr)
	}
	start := time.Now()
	newID, err := checker.SetCheck(ctx, commitRef(pr), id, c)
	recordReport(kind, pr, state, start, err)
	if err != nil || (recorded && newID == id) {
		return err
	}
	r.rememberCheck(pr.UID, newID)
	return r.markCheck(ctx, pr, newID)
}

// checkID is the id of the run's check and whether it has one recorded:
// in the run's annotation, or in this process's memory while the cache
// has not caught up with the annotation.
func (r *Reporter) checkID(pr *pipelinev1.PipelineRun) (string, bool) {
	if id := pr.Annotations[run.AnnotationCheckRun]; id != "" {
		return id, true
	}
	r.initMemory()
	return r.checks.Get(string(pr.UID))
}

func (r *Reporter) rememberCheck(uid types.UID, id string) {
	r.initMemory()
	r.checks.Put(string(uid), id)
}

// markCheck keeps the check's id on the run.
func (r *Reporter) markCheck(ctx context.Context, pr *pipelinev1.PipelineRun, id string) error {
	patch, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{run.AnnotationCheckRun: id}},
	})
	err := r.Client.Patch(ctx, pr, client.RawPatch(types.MergePatchType, patch))
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("report: keep check run %s on %s: %w", id, pr.Name, err)
	}
	return nil
}

// jobName is the run's job: its JOB_NAME parameter, which holds the whole
// name, else the job label (cut to 63 characters).
func jobName(pr *pipelinev1.PipelineRun) string {
	for _, p := range pr.Spec.Params {
		if p.Name == "JOB_NAME" && p.Value.StringVal != "" {
			return p.Value.StringVal
		}
	}
	return pr.Labels[run.LabelJob]
}

// wasCancelled reports a run stopped on request.
func wasCancelled(pr *pipelinev1.PipelineRun) bool {
	cond := pr.Status.GetCondition(apis.ConditionSucceeded)
	return cond != nil && cancelReasons[cond.Reason]
}
