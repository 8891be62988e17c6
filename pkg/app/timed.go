package app

import (
	"context"
	"fmt"
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/fresnel-ci/fresnel/pkg/gc"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/periodic"
	"github.com/fresnel-ci/fresnel/pkg/report"
)

// setupTimed adds the controller's loops that act on time, both on the
// elected leader only: the periodic scheduler and garbage collection,
// which tells settled of the runs it deletes. It also keeps the job
// configuration reloaded, which the controller role needs for its
// periodics.
func (a *App) setupTimed(mgr manager.Manager, settled *report.Ledger) error {
	s := &periodic.Scheduler{
		Jobs:   a.Jobs,
		Launch: launch.Options{Namespace: a.Settings.Namespace, CloneImage: a.Settings.Decoration.CloneImage},
	}
	if err := periodic.Setup(mgr, s); err != nil {
		return fmt.Errorf("app: periodics: %w", err)
	}
	if err := mgr.Add(everyReplica(a.watchJobsOnce)); err != nil {
		return fmt.Errorf("app: watch job configuration: %w", err)
	}
	g := a.Settings.GC
	if g.Disabled {
		a.Log.Info("garbage collection of finished runs is off")
		return nil
	}
	err := gc.Setup(mgr, &gc.Collector{
		Namespace: a.Settings.Namespace,
		Policy:    gc.Policy{MaxAge: g.MaxAge.Duration, KeepPerJob: g.KeepPerJob},
		Jobs:      a.Jobs, Interval: g.Interval.Duration, PerSecond: g.DeletesPerSecond,
		Gone: settled.Forget,
	})
	if err != nil {
		return fmt.Errorf("app: garbage collection: %w", err)
	}
	return nil
}

// watchers holds the Apps whose job files are being watched, so that
// `fresnel all`, whose webhook side watches them already, watches once.
var watchers sync.Map

// watchJobsOnce runs WatchJobs unless it runs for a already.
func (a *App) watchJobsOnce(ctx context.Context) error {
	if _, running := watchers.LoadOrStore(a, true); running {
		return nil
	}
	defer watchers.Delete(a)
	return a.WatchJobs(ctx)
}

// everyReplica is a runnable that runs whether or not its replica leads:
// a replica elected later must have the configuration of the moment.
type everyReplica func(context.Context) error

func (f everyReplica) Start(ctx context.Context) error { return f(ctx) }

func (everyReplica) NeedLeaderElection() bool { return false }
