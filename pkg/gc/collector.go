package gc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultInterval is how often the collector looks when Interval is zero.
const DefaultInterval = 10 * time.Minute

// DefaultPageSize is how many runs a page of the collector's list holds
// when PageSize is zero.
const DefaultPageSize = 500

// Deleter deletes a PipelineRun; a controller-runtime client is one.
type Deleter interface {
	Delete(ctx context.Context, obj client.Object, opts ...client.DeleteOption) error
}

// Collector deletes what Policy selects, every Interval, at most PerSecond
// deletions a second. It runs on the elected leader only.
type Collector struct {
	// Cached lists the unsettled runs (the manager's cache); Runs lists
	// the settled ones' metadata, PageSize at a time (the API server).
	Cached    client.Reader
	Runs      client.Reader
	PageSize  int
	Deleter   Deleter
	Namespace string
	Policy    Policy
	// Jobs, when set, names the periodics whose newest run stays.
	Jobs      func() *triggers.Config
	Interval  time.Duration
	PerSecond float64
	Clock     clock.Clock
	// Gone, when set, is told of each run deleted or found gone, so that
	// what remembers settled runs (report.Ledger) forgets it.
	Gone func(types.UID)
}

// NeedLeaderElection says the collector runs on the leader only.
func (c *Collector) NeedLeaderElection() bool { return true }

// Start collects every Interval until ctx ends.
func (c *Collector) Start(ctx context.Context) error {
	log.FromContext(ctx).Info("garbage collection starting", "maxAge", c.Policy.MaxAge.String(), "keepPerJob", c.Policy.KeepPerJob)
	for {
		if _, err := c.Collect(ctx); err != nil {
			log.FromContext(ctx).Error(err, "garbage collection")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-c.Clock.After(cmp.Or(c.Interval, DefaultInterval)):
		}
	}
}

// Collect deletes the runs the policy selects now and returns how many
// it deleted.
func (c *Collector) Collect(ctx context.Context) (int, error) {
	runs, err := c.inventory(ctx)
	if err != nil {
		return 0, err
	}
	victims, unreported := Select(runs, c.policy(), c.Clock.Now())
	metrics.GCUnreported.Set(float64(unreported))
	return c.delete(ctx, victims)
}

// inventory is an Entry of every managed run: of the settled ones, which
// the cache does not hold, from their metadata, a page at a time from the
// API server; of the others from the cache (a run settled while the cache
// has not caught up is counted once, as settled).
func (c *Collector) inventory(ctx context.Context) ([]Entry, error) {
	var runs []Entry
	settled := map[types.UID]bool{}
	keep := func(m *metav1.PartialObjectMetadata) {
		runs = append(runs, SettledEntryOf(m))
		settled[m.UID] = true
	}
	err := run.ListPages(ctx, c.Runs, int64(cmp.Or(c.PageSize, DefaultPageSize)), keep,
		client.InNamespace(c.Namespace), client.MatchingLabels{run.LabelManaged: "true", run.LabelSettled: "true"})
	if err != nil {
		return nil, fmt.Errorf("gc: list settled runs: %w", err)
	}
	var cached pipelinev1.PipelineRunList
	err = c.Cached.List(ctx, &cached, client.InNamespace(c.Namespace), client.MatchingLabels{run.LabelManaged: "true"},
		client.UnsafeDisableDeepCopy)
	if err != nil {
		return nil, fmt.Errorf("gc: list runs: %w", err)
	}
	for i := range cached.Items {
		if pr := &cached.Items[i]; !settled[pr.UID] {
			runs = append(runs, EntryOf(pr))
		}
	}
	return runs, nil
}

// policy is Policy with the periodics of the configuration in force.
func (c *Collector) policy() Policy {
	p := c.Policy
	if c.Jobs == nil || c.Jobs() == nil {
		return p
	}
	p.Periodics = map[string]bool{}
	for _, j := range c.Jobs().Periodics {
		p.Periodics[launch.LabelValue(j.Name)] = true
	}
	return p
}

// delete deletes victims one by one, paced to PerSecond; a run already
// gone counts as deleted by someone else.
func (c *Collector) delete(ctx context.Context, victims []Victim) (int, error) {
	deleted := 0
	var errs []error
	for i, v := range victims {
		if i > 0 && !c.pace(ctx) {
			break
		}
		target := &pipelinev1.PipelineRun{ObjectMeta: metav1.ObjectMeta{Name: v.Run.Name, Namespace: c.Namespace}}
		uid := v.Run.UID
		err := c.Deleter.Delete(ctx, target, client.Preconditions{UID: &uid},
			client.PropagationPolicy(metav1.DeletePropagationBackground))
		if (err == nil || apierrors.IsNotFound(err)) && c.Gone != nil {
			c.Gone(uid)
		}
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			metrics.GCDeletions.WithLabelValues(string(v.Reason), "failed").Inc()
			errs = append(errs, fmt.Errorf("gc: delete %s: %w", v.Run.Name, err))
		default:
			deleted++
			metrics.GCDeletions.WithLabelValues(string(v.Reason), "deleted").Inc()
			log.FromContext(ctx).V(1).Info("deleted finished run", "run", v.Run.Name, "reason", v.Reason)
		}
	}
	if deleted > 0 {
		log.FromContext(ctx).Info("garbage collection deleted finished runs", "deleted", deleted, "selected", len(victims))
	}
	return deleted, errors.Join(errs...)
}

// pace waits one deletion's share of a second; false when ctx ended.
func (c *Collector) pace(ctx context.Context) bool {
	if c.PerSecond <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-c.Clock.After(time.Duration(float64(time.Second) / c.PerSecond)):
		return true
	}
}

// Setup adds the collector to mgr, leader only.
func Setup(mgr ctrl.Manager, c *Collector) error {
	if c.Cached == nil {
		c.Cached = mgr.GetClient()
	}
	if c.Runs == nil {
		c.Runs = mgr.GetAPIReader()
	}
	if c.Deleter == nil {
		c.Deleter = mgr.GetClient()
	}
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	if err := mgr.Add(c); err != nil {
		return fmt.Errorf("gc: add collector: %w", err)
	}
	return nil
}
