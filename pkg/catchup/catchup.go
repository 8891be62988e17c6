package catchup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Runs tells whether fresnel has runs on a commit, and whether the
// cluster answers at all.
type Runs interface {
	// HasRuns reports whether any run of instance exists on repo's sha.
	HasRuns(ctx context.Context, instance, repo, sha string) (bool, error)
	// Ping returns nil once the cluster answers.
	Ping(ctx context.Context) error
}

// Instances finds a provider instance by kind and name.
type Instances interface {
	Get(kind, name string) (providers.Instance, bool)
}

// Loop recovers remembered outages once the cluster answers again.
type Loop struct {
	Outage    *Outage
	Instances Instances
	Runs      Runs
	// Handler selects and launches jobs for reconciled pull requests.
	Handler Handler
	// HookPath is the path an instance's deliveries arrive at.
	HookPath func(kind, name string) string
	// Interval is how often an outage is looked at; Settle how long
	// redeliveries get before pull requests are reconciled.
	Interval, Settle time.Duration
	// Margin widens the outage back in time, for clocks that differ
	// between fresnel and the SCM.
	Margin time.Duration
	Log    logrus.FieldLogger
}

// Run looks at the outage every Interval until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	t := time.NewTicker(l.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if l.Outage.Active() && l.Runs.Ping(ctx) == nil {
			l.Recover(ctx)
		}
	}
}

// Report is what one recovery did.
type Report struct {
	Redelivered int
	Reconciled  int
	// Unchanged counts pull requests whose head commit had runs already.
	Unchanged int
	Errors    []error
}

// Recover takes the outage remembered and recovers it: redeliveries
// first, then, after Settle, the reconcile of open pull requests. What
// fails is remembered again for the next round.
func (l *Loop) Recover(ctx context.Context) Report {
	snap := l.Outage.Take()
	var rep Report
	if snap.Since.IsZero() {
		return rep
	}
	since := snap.Since.Add(-l.Margin)
	for key, repos := range snap.Repos {
		l.redeliver(ctx, key, repos, since, &rep)
	}
	if rep.Redelivered > 0 {
		select {
		case <-ctx.Done():
			return rep
		case <-time.After(l.Settle):
		}
	}
	for key, repos := range snap.Repos {
		for _, repo := range repos {
			l.reconcile(ctx, key, repo, since, snap.Since, &rep)
		}
	}
	l.log().WithFields(logrus.Fields{"since": snap.Since, "redelivered": rep.Redelivered, "reconciled": rep.Reconciled,
		"unchanged": rep.Unchanged, "errors": len(rep.Errors), "dropped": snap.Dropped}).Info("caught up after the cluster was unreachable")
	return rep
}

// redeliver asks the instance's SCM to redeliver repos' failed
// deliveries, where it can.
func (l *Loop) redeliver(ctx context.Context, key InstanceKey, repos []string, since time.Time, rep *Report) {
	in, ok := l.Instances.Get(key.Kind, key.Name)
	if !ok {
		return
	}
	r, ok := in.Intake.(providers.Redeliverer)
	if !ok {
		return
	}
	for _, repo := range repos {
		n, err := r.Redeliver(ctx, repo, l.HookPath(key.Kind, key.Name), since)
		rep.Redelivered += n
		if err != nil {
			l.fail(rep, key, repo, fmt.Errorf("catchup: redeliver: %w", err))
		}
	}
}

// reconcile selects jobs, as for a push, for each open pull request of
// repo updated since the outage began whose head commit has no run.
func (l *Loop) reconcile(ctx context.Context, key InstanceKey, repo string, since, began time.Time, rep *Report) {
	in, ok := l.Instances.Get(key.Kind, key.Name)
	if !ok {
		return
	}
	lister, ok := in.Intake.(providers.OpenPullRequestLister)
	if !ok {
		return
	}
	evs, err := lister.OpenPullRequests(ctx, repo, since)
	if err != nil {
		l.fail(rep, key, repo, fmt.Errorf("catchup: reconcile: %w", err))
	}
	for _, ev := range evs {
		if err := l.reconcileOne(ctx, in, ev, rep); err != nil {
			l.fail(rep, key, repo, err)
			if ClusterDown(err) {
				l.Outage.Failed(key, repo, began)
			}
		}
	}
}

// reconcileOne handles one pull request's head commit unless it has
// runs already. Its delivery id is made from the commit, so that
// replicas reconciling the same commit make the same run names.
func (l *Loop) reconcileOne(ctx context.Context, in providers.Instance, ev event.Event, rep *Report) error {
	has, err := l.Runs.HasRuns(ctx, in.Name, ev.Repo.FullName, ev.HeadSHA)
	if err != nil {
		return fmt.Errorf("catchup: runs of %s@%s: %w", ev.Repo.FullName, ev.HeadSHA, err)
	}
	if has {
		rep.Unchanged++
		return nil
	}
	ev.Provider, ev.Instance, ev.Delivery = in.Kind, in.Name, "catchup-"+ev.HeadSHA
	if _, err := l.Handler.Handle(ctx, in, ev); err != nil {
		return fmt.Errorf("catchup: reconcile %s: %w", ev, err)
	}
	rep.Reconciled++
	return nil
}

// fail notes err; a cluster still down makes the repository wait for
// the next round.
func (l *Loop) fail(rep *Report, key InstanceKey, repo string, err error) {
	rep.Errors = append(rep.Errors, err)
	if errors.Is(err, providers.ErrNotFound) {
		l.log().WithFields(logrus.Fields{"instance": key.Name, "repo": repo}).WithError(err).Info("catch-up: the SCM cannot redeliver here; open pull requests are reconciled")
		return
	}
	l.log().WithFields(logrus.Fields{"instance": key.Name, "repo": repo}).WithError(err).Warn("catch-up step failed")
}

func (l *Loop) log() logrus.FieldLogger {
	if l.Log == nil {
		return logrus.StandardLogger()
	}
	return l.Log
}
