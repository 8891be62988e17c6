package report

import (
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
)

// Setup registers the reporter with a manager whose cache already holds
// only managed PipelineRuns.
func Setup(mgr ctrl.Manager, r *Reporter, workers int) error {
	if r.Client == nil {
		r.Client = mgr.GetClient()
	}
	if r.Reader == nil {
		r.Reader = mgr.GetAPIReader()
	}
	if r.Settled != nil {
		if r.Settled.Runs == nil {
			r.Settled.Runs = mgr.GetAPIReader()
		}
		if err := mgr.Add(r.Settled); err != nil {
			return fmt.Errorf("report: add the settled runs' ledger: %w", err)
		}
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("report").
		For(&pipelinev1.PipelineRun{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(r)
}
