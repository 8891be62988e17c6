package periodic

import (
	"context"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/report"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Results counts periodic runs as they finish, by job and result
// (fresnel_periodic_runs_total). It runs on the leader only, so a finish
// is counted once across replicas; runs that finished before this replica
// led are not counted again.
type Results struct {
	Informers cache.Informers
	// Finished is called after a periodic run finished; may be nil.
	Finished func()
}

// NeedLeaderElection says the count is kept by the leader only.
func (r *Results) NeedLeaderElection() bool { return true }

// Start watches PipelineRuns until ctx ends.
func (r *Results) Start(ctx context.Context) error {
	inf, err := r.Informers.GetInformer(ctx, &pipelinev1.PipelineRun{})
	if err != nil {
		return fmt.Errorf("periodic: PipelineRun informer: %w", err)
	}
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{UpdateFunc: r.update})
	if err != nil {
		return fmt.Errorf("periodic: watch PipelineRuns: %w", err)
	}
	<-ctx.Done()
	return inf.RemoveEventHandler(reg)
}

func (r *Results) update(oldObj, newObj any) {
	before, ok1 := oldObj.(*pipelinev1.PipelineRun)
	after, ok2 := newObj.(*pipelinev1.PipelineRun)
	if !ok1 || !ok2 || !Finished(before, after) {
		return
	}
	r.Count(after)
	if r.Finished != nil {
		r.Finished()
	}
}

// Finished says an update is a periodic run finishing.
func Finished(before, after *pipelinev1.PipelineRun) bool {
	return after.Labels[run.LabelType] == string(triggers.Periodic) && !before.IsDone() && after.IsDone()
}

// Count adds a finished periodic run to fresnel_periodic_runs_total.
func (r *Results) Count(pr *pipelinev1.PipelineRun) {
	state, _ := report.StateOf(pr)
	metrics.PeriodicRuns.WithLabelValues(jobName(pr), string(state)).Inc()
}

// jobName is the job's full name (its JOB_NAME), else its label.
func jobName(pr *pipelinev1.PipelineRun) string {
	for _, p := range pr.Spec.Params {
		if p.Name == "JOB_NAME" && p.Value.StringVal != "" {
			return p.Value.StringVal
		}
	}
	return pr.Labels[run.LabelJob]
}
