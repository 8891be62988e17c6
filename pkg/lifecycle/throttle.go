// Package lifecycle holds the controller loops that act on runs once they
// exist. The throttle enforces max_concurrency: runs of a limited job are
// created pending, and it starts the oldest of them whenever the job has
// fewer running than its limit, as Prow's plank does for ProwJobs.
package lifecycle

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// Throttle starts queued runs of jobs that have a max_concurrency.
type Throttle struct {
	// Live reads runs straight from the apiserver: a cache that has not
	// yet seen the last start would let a job exceed its limit.
	Live client.Reader
	// Client writes the start.
	Client client.Client
}

// SetupThrottle registers the throttle with mgr. It reconciles one run at a time,
// so two starts never race for the same slot.
func SetupThrottle(mgr ctrl.Manager, t *Throttle) error {
	if t.Client == nil {
		t.Client = mgr.GetClient()
	}
	if t.Live == nil {
		t.Live = mgr.GetAPIReader()
	}
	limited := predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetAnnotations()[run.AnnotationMaxConcurrency] != ""
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("throttle").
		For(&pipelinev1.PipelineRun{}, builder.WithPredicates(limited)).
		Complete(t)
}

// Reconcile starts as many queued runs of the run's job as its limit
// leaves room for, oldest first.
func (t *Throttle) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pr pipelinev1.PipelineRun
	if err := t.Live.Get(ctx, req.NamespacedName, &pr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	limit, err := strconv.Atoi(pr.Annotations[run.AnnotationMaxConcurrency])
	if err != nil || limit <= 0 {
		return ctrl.Result{}, nil
	}
	var runs pipelinev1.PipelineRunList
	err = t.Live.List(ctx, &runs, client.InNamespace(pr.Namespace), client.MatchingLabels{
		run.LabelManaged: "true", run.LabelJob: pr.Labels[run.LabelJob],
	})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("lifecycle: runs of %s: %w", pr.Labels[run.LabelJob], err)
	}
	running, queued := split(runs.Items)
	started, err := t.startOldest(ctx, queued, limit-running)
	metrics.QueuedRuns.WithLabelValues(pr.Labels[run.LabelJob]).Set(float64(len(queued) - started))
	return ctrl.Result{}, err
}

// startOldest starts up to free of the queued runs, oldest first, and
// says how many it started.
func (t *Throttle) startOldest(ctx context.Context, queued []*pipelinev1.PipelineRun, free int) (int, error) {
	started := 0
	for ; started < free && started < len(queued); started++ {
		if err := t.start(ctx, queued[started]); err != nil {
			return started, err
		}
		metrics.QueuedRunsStarted.Inc()
		log.FromContext(ctx).Info("started queued run", "run", queued[started].Name, "free", free)
	}
	return started, nil
}

// split counts the runs that hold a slot and lists the queued ones,
// oldest first.
func split(runs []pipelinev1.PipelineRun) (running int, queued []*pipelinev1.PipelineRun) {
	for i := range runs {
		pr := &runs[i]
		switch {
		case pr.IsDone():
		case pr.Spec.Status == pipelinev1.PipelineRunSpecStatusPending:
			queued = append(queued, pr)
		default:
			running++
		}
	}
	oldestFirst(queued)
	return running, queued
}

// oldestFirst sorts runs by creation time, then name.
func oldestFirst(runs []*pipelinev1.PipelineRun) {
	sort.Slice(runs, func(a, b int) bool {
		ta, tb := runs[a].CreationTimestamp, runs[b].CreationTimestamp
		if !ta.Equal(&tb) {
			return ta.Before(&tb)
		}
		return runs[a].Name < runs[b].Name
	})
}

// start clears spec.status, which lets Tekton run the PipelineRun. The
// resource version guards against starting a run something else changed.
func (t *Throttle) start(ctx context.Context, pr *pipelinev1.PipelineRun) error {
	patch := []byte(fmt.Sprintf(`{"metadata":{"resourceVersion":%q},"spec":{"status":null}}`, pr.ResourceVersion))
	err := t.Client.Patch(ctx, pr, client.RawPatch(types.MergePatchType, patch))
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lifecycle: start %s: %w", pr.Name, err)
	}
	return nil
}
