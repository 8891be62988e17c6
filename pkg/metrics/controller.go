package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// The controller role: reporting, the max_concurrency queue, leadership.
var (
	// ReportLatency is the time from a run's completion to the report of
	// its final state reaching the SCM.
	ReportLatency = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "fresnel_report_latency_seconds",
		Help:    "Time from a PipelineRun's completion to its final state being reported to the SCM, by provider.",
		Buckets: []float64{.1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 900},
	}, []string{"provider"})

	// QueuedRuns is the number of runs of a max_concurrency job waiting
	// for a free slot, as the throttle last counted them.
	QueuedRuns = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fresnel_queued_runs",
		Help: "PipelineRuns of a max_concurrency job waiting for a free slot, by job, as the leader last counted them.",
	}, []string{"job"})

	// ControllerLeader is 1 while this process runs the controller's
	// loops: it holds the Lease, or leader election is off.
	ControllerLeader = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "fresnel_controller_leader",
		Help: "1 while this process runs the controller loops (it holds the Lease, or leader election is off), else 0.",
	})
)
