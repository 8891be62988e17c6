package lifecycle

import (
	"context"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Superseder cancels the runs of a pull request's presubmit that a run on
// a newer commit of the same pull request has made moot, as Prow and
// Lighthouse abort them.
type Superseder struct {
	Client client.Client
}

// SetupSuperseder registers the superseder with mgr; it watches the
// presubmit runs of pull requests.
func SetupSuperseder(mgr ctrl.Manager, s *Superseder) error {
	if s.Client == nil {
		s.Client = mgr.GetClient()
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named("supersede").
		For(&pipelinev1.PipelineRun{}, builder.WithPredicates(predicate.NewPredicateFuncs(mayBeSuperseded))).
		Complete(s)
}

// mayBeSuperseded keeps the unfinished presubmit runs of pull requests:
// only they can be superseded, and each one's own events bring it to a
// newer run, so the finished runs (thousands, at start) are not looked at.
func mayBeSuperseded(o client.Object) bool {
	l := o.GetLabels()
	if l[run.LabelType] != string(triggers.Presubmit) || l[run.LabelPull] == "" {
		return false
	}
	pr, ok := o.(*pipelinev1.PipelineRun)
	return ok && !pr.IsDone()
}

// Reconcile cancels every unfinished run of the run's job and pull request
// whose commit is not the one of the newest such run.
func (s *Superseder) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pr pipelinev1.PipelineRun
	if err := s.Client.Get(ctx, req.NamespacedName, &pr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	var runs pipelinev1.PipelineRunList
	err := s.Client.List(ctx, &runs, client.InNamespace(pr.Namespace), client.MatchingFields{run.IndexPull: run.PullKey(pr.Labels)},
		client.MatchingLabels{run.LabelJob: pr.Labels[run.LabelJob]})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("lifecycle: runs of %s: %w", pr.Name, err)
	}
	for _, old := range superseded(sameChange(runs.Items, &pr)) {
		if err := s.cancel(ctx, old); err != nil {
			return ctrl.Result{}, err
		}
		metrics.RunsSuperseded.Inc()
		log.FromContext(ctx).Info("cancelled a run a newer commit superseded", "run", old.Name, "sha", old.Annotations[run.AnnotationSHA])
	}
	return ctrl.Result{}, nil
}

// sameChange keeps the runs of exactly pr's instance, repository, pull
// request and job: labels are cut to 63 characters, annotations are not.
func sameChange(runs []pipelinev1.PipelineRun, pr *pipelinev1.PipelineRun) []*pipelinev1.PipelineRun {
	var out []*pipelinev1.PipelineRun
	for i := range runs {
		r := &runs[i]
		if r.Labels[run.LabelProvider] == pr.Labels[run.LabelProvider] &&
			r.Annotations[run.AnnotationInstance] == pr.Annotations[run.AnnotationInstance] &&
			r.Annotations[run.AnnotationRepo] == pr.Annotations[run.AnnotationRepo] &&
			r.Annotations[run.AnnotationContext] == pr.Annotations[run.AnnotationContext] {
			out = append(out, r)
		}
	}
	return out
}

// superseded returns the unfinished runs not on the newest run's commit.
func superseded(runs []*pipelinev1.PipelineRun) []*pipelinev1.PipelineRun {
	if len(runs) < 2 {
		return nil
	}
	oldestFirst(runs)
	newest := runs[len(runs)-1].Annotations[run.AnnotationSHA]
	var out []*pipelinev1.PipelineRun
	for _, r := range runs {
		if r.Annotations[run.AnnotationSHA] != newest && !r.IsDone() && !launch.CancelRequested(r) {
			out = append(out, r)
		}
	}
	return out
}

// cancel asks Tekton to stop the run.
func (s *Superseder) cancel(ctx context.Context, pr *pipelinev1.PipelineRun) error {
	patch := launch.CancelPatch(pr, "a newer commit superseded it")
	err := s.Client.Patch(ctx, pr, client.RawPatch(types.MergePatchType, patch))
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("lifecycle: cancel %s: %w", pr.Name, err)
	}
	return nil
}
