package report

import (
	"context"
	"sync"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// A report is sent, then recorded on its run. A controller killed between
// the two has sent a report its run does not show, and the controller
// that takes over would send it again. So for a run whose state changed
// before this reporter began, which a predecessor may have reported, the
// reporter first reads the SCM's newest status for the run's context,
// where the SCM can say (providers.StatusReader), and sends nothing when
// the SCM already shows it. Runs that change later were seen by this
// reporter alone, and cost no read. Check runs are updated in place, so
// for them the reporter looks for the check its predecessor made for the
// run (providers.CheckFinder), so as not to make a second one, and a
// verdict (Gerrit) made only of such runs is read back too
// (providers.VerdictReader).

// takeover remembers when this reporter began reconciling: as its
// controller only reconciles while it leads, when it took over.
type takeover struct {
	once  sync.Once
	since time.Time
}

// began returns when the reporter began: its first Reconcile starts the
// clock.
func (t *takeover) began() time.Time {
	t.once.Do(func() { t.since = time.Now() })
	return t.since
}

// statusShown reports whether the SCM already shows want, the status
// reporter is about to send for a run a predecessor may have reported.
// An SCM that cannot say, or fails to, gets the status again: a report
// sent twice is better than one lost.
func (r *Reporter) statusShown(ctx context.Context, reporter providers.StatusReporter, pr *pipelinev1.PipelineRun, want providers.Status) bool {
	reader, ok := reporter.(providers.StatusReader)
	if !ok || !changedAt(pr).Before(r.takeover.began()) {
		return false
	}
	got, found, err := reader.LatestStatus(ctx, commitRef(pr), want.Context)
	if err != nil {
		log.FromContext(ctx).Info("could not read the SCM's statuses; reporting again", "error", err.Error())
		return false
	}
	shown := found && got.State == want.State && got.Description == want.Description && got.TargetURL == want.TargetURL
	if shown {
		log.FromContext(ctx).Info("the SCM shows this status already; recording it", "state", string(want.State))
	}
	return shown
}

// findCheck returns the check a predecessor made for a run but did not
// live to record, "" when there is none or the SCM cannot say (a second
// check then is better than a report lost). Only runs created before this
// reporter began can have one.
func (r *Reporter) findCheck(ctx context.Context, checker providers.Checker, pr *pipelinev1.PipelineRun) string {
	finder, ok := checker.(providers.CheckFinder)
	if !ok || !pr.CreationTimestamp.Time.Before(r.takeover.began()) {
		return ""
	}
	id, err := finder.FindCheck(ctx, commitRef(pr), pr.Annotations[run.AnnotationContext], jobName(pr), pr.CreationTimestamp.Time)
	if err != nil {
		log.FromContext(ctx).Info("could not look for the run's check; making one", "error", err.Error())
		return ""
	}
	return id
}

// verdictShown reports whether the SCM already shows verdict, made of
// runs that all changed before this reporter began: a predecessor may
// have sent it.
func (r *Reporter) verdictShown(ctx context.Context, v providers.VerdictReporter, pr *pipelinev1.PipelineRun, runs []*pipelinev1.PipelineRun, verdict providers.Verdict) bool {
	reader, ok := v.(providers.VerdictReader)
	if !ok {
		return false
	}
	began := r.takeover.began()
	for _, p := range runs {
		if !changedAt(p).Before(began) {
			return false
		}
	}
	shown, err := reader.VerdictShown(ctx, commitRef(pr), verdict)
	if err != nil {
		log.FromContext(ctx).Info("could not read the SCM's verdicts; reporting again", "error", err.Error())
		return false
	}
	return shown
}

// changedAt is when the run's state last changed: when it completed,
// else when its Succeeded condition last moved, else when it was created.
// A settled run from the ledger has its completion and nothing else.
func changedAt(pr *pipelinev1.PipelineRun) time.Time {
	if done := completedAt(pr); !done.IsZero() {
		return done
	}
	if c := pr.Status.GetCondition(apis.ConditionSucceeded); c != nil && !c.LastTransitionTime.Inner.IsZero() {
		return c.LastTransitionTime.Inner.Time
	}
	return pr.CreationTimestamp.Time
}
