package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Periodics and garbage collection: the controller's loops that act on
// time rather than on events.
var (
	// PeriodicTicks counts what the scheduler did at each tick of a
	// periodic job: created its run, found it existing, or failed.
	PeriodicTicks = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_periodic_ticks_total",
		Help: "Ticks of periodic jobs by job and outcome (created, exists: another replica or an earlier attempt made the run, failed).",
	}, []string{"job", "outcome"})

	// PeriodicRuns counts periodic runs that finished while this
	// controller led, by job and result.
	PeriodicRuns = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_periodic_runs_total",
		Help: "Periodic runs finished, by job and result (success, failure, error), as seen by the leading controller.",
	}, []string{"job", "result"})

	// GCDeletions counts finished PipelineRuns garbage collection
	// deleted, or failed to, by reason (age, count) and outcome.
	GCDeletions = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_gc_deletions_total",
		Help: "Finished PipelineRuns deleted by garbage collection, by reason (age, count) and outcome (deleted, failed).",
	}, []string{"reason", "outcome"})

	// GCUnreported is the number of finished runs the last collection
	// kept only because their result was not reported yet.
	GCUnreported = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "fresnel_gc_unreported_runs",
		Help: "Finished PipelineRuns the last garbage collection would have deleted but kept because their result is not reported yet.",
	})

	// SettledRuns is the number of settled runs the reporter's ledger
	// holds.
	SettledRuns = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "fresnel_settled_runs",
		Help: "Settled PipelineRuns (finished, result reported) the elected controller's ledger holds for verdicts and summaries.",
	})
)
