package periodic

import (
	"context"
	"fmt"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultMaxWait is how long the scheduler sleeps at most, so a new or
// changed periodic in a reloaded configuration is seen soon.
const DefaultMaxWait = 10 * time.Second

// retryAfter is when a tick whose run could not be created is tried again.
const retryAfter = 2 * time.Second

// Creator creates a PipelineRun; a controller-runtime client is one.
type Creator interface {
	Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error
}

// Scheduler starts periodic jobs' runs when they are due. It runs on the
// elected leader only.
type Scheduler struct {
	// Jobs is the configuration in force; it may change between ticks.
	Jobs func() *triggers.Config
	// Runs lists a job's runs by their labels: the API server, as the
	// cache does not hold settled runs.
	Runs    client.Reader
	Creator Creator
	// Launch gives the namespace and clone image of the runs.
	Launch launch.Options
	Clock  clock.Clock
	// MaxWait caps each sleep; DefaultMaxWait when zero.
	MaxWait time.Duration

	seen  map[string]time.Time
	nudge chan struct{}
}

// NeedLeaderElection says the scheduler runs on the leader only.
func (s *Scheduler) NeedLeaderElection() bool { return true }

// Nudge wakes the scheduler early, as when a periodic run finished.
func (s *Scheduler) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Start runs the scheduler until ctx ends.
func (s *Scheduler) Start(ctx context.Context) error {
	log.FromContext(ctx).Info("periodic scheduler starting")
	for {
		timer := s.Clock.NewTimer(max(s.Pass(ctx).Sub(s.Clock.Now()), 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C():
		case <-s.nudge:
			timer.Stop()
		}
	}
}

// Pass starts every periodic that is due now and returns when the next
// one will be due (at most MaxWait away).
func (s *Scheduler) Pass(ctx context.Context) time.Time {
	now := s.Clock.Now()
	wake := now.Add(s.maxWait())
	cfg := s.Jobs()
	if cfg == nil {
		return wake
	}
	s.forget(cfg.Periodics, now)
	for _, job := range cfg.Periodics {
		next, err := s.tick(ctx, job, now)
		if err != nil {
			log.FromContext(ctx).Error(err, "periodic not started", "job", job.Name)
		}
		if next.Before(wake) {
			wake = next
		}
	}
	return wake
}

// forget keeps s.seen to the jobs in force and stamps new ones with now.
func (s *Scheduler) forget(jobs []*triggers.Job, now time.Time) {
	known := make(map[string]time.Time, len(jobs))
	for _, j := range jobs {
		known[j.Name] = now
		if t, ok := s.seen[j.Name]; ok {
			known[j.Name] = t
		}
	}
	s.seen = known
}

// tick starts job if it is due at now, and returns when to look again.
func (s *Scheduler) tick(ctx context.Context, job *triggers.Job, now time.Time) (time.Time, error) {
	rule, err := RuleOf(job)
	if err != nil {
		return now.Add(s.maxWait()), err
	}
	var runs pipelinev1.PipelineRunList
	err = s.Runs.List(ctx, &runs, client.InNamespace(s.Launch.Namespace), client.MatchingLabels{
		run.LabelManaged: "true", run.LabelType: string(triggers.Periodic), run.LabelJob: launch.LabelValue(job.Name)})
	if err != nil {
		return now.Add(retryAfter), fmt.Errorf("periodic: runs of %s: %w", job.Name, err)
	}
	last, running := lastOf(runs.Items)
	d := rule.Decide(last, running, s.seen[job.Name], now)
	if !d.Due {
		return d.Next, nil
	}
	if err := s.start(ctx, job, d.Tick); err != nil {
		return now.Add(retryAfter), err
	}
	// The new run is unfinished: look again when it may have finished.
	return now.Add(s.maxWait()), nil
}

// start creates job's run for tick; one that exists already counts as
// started, by this replica earlier or by another.
func (s *Scheduler) start(ctx context.Context, job *triggers.Job, tick time.Time) error {
	pr, err := Build(job, tick, s.Launch)
	if err != nil {
		metrics.PeriodicTicks.WithLabelValues(job.Name, "failed").Inc()
		return err
	}
	err = s.Creator.Create(ctx, pr)
	switch {
	case apierrors.IsAlreadyExists(err):
		metrics.PeriodicTicks.WithLabelValues(job.Name, "exists").Inc()
		return nil
	case err != nil:
		metrics.PeriodicTicks.WithLabelValues(job.Name, "failed").Inc()
		return fmt.Errorf("periodic: create %s/%s: %w", pr.Namespace, pr.Name, err)
	}
	metrics.PeriodicTicks.WithLabelValues(job.Name, "created").Inc()
	log.FromContext(ctx).Info("periodic started", "job", job.Name, "tick", tick.UTC().Format(time.RFC3339), "run", pr.Name)
	return nil
}

func (s *Scheduler) maxWait() time.Duration {
	if s.MaxWait > 0 {
		return s.MaxWait
	}
	return DefaultMaxWait
}

// Setup adds the scheduler and the count of finished periodic runs to
// mgr, both leader only.
func Setup(mgr ctrl.Manager, s *Scheduler) error {
	if s.Runs == nil {
		s.Runs = mgr.GetAPIReader()
	}
	if s.Creator == nil {
		s.Creator = mgr.GetClient()
	}
	if s.Clock == nil {
		s.Clock = clock.RealClock{}
	}
	s.nudge = make(chan struct{}, 1)
	if err := mgr.Add(s); err != nil {
		return fmt.Errorf("periodic: add scheduler: %w", err)
	}
	if err := mgr.Add(&Results{Informers: mgr.GetCache(), Finished: s.Nudge}); err != nil {
		return fmt.Errorf("periodic: add results: %w", err)
	}
	return nil
}
