// Package metrics holds fresnel's Prometheus metrics, registered once on
// the default registry and served at /metrics.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	// Webhooks counts deliveries by provider, instance, event kind and result.
	Webhooks = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_webhooks_total",
		Help: "Webhook deliveries by provider, instance, event and result (HTTP status code, or ignored).",
	}, []string{"provider", "instance", "event", "result"})

	// ParserPanics counts deliveries on which a provider's parser
	// panicked: each is a bug, answered 400.
	ParserPanics = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_parser_panics_total",
		Help: "Deliveries on which a provider's parser panicked (a bug; the sender got a 400), by provider.",
	}, []string{"provider"})

	// WebhookDuration is the time from request to answer.
	WebhookDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "fresnel_webhook_duration_seconds",
		Help:    "Time to answer a webhook delivery, PipelineRun creation included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"provider", "instance"})

	// RunsCreated counts PipelineRuns created, by provider and job type.
	RunsCreated = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_pipelineruns_created_total",
		Help: "PipelineRuns created, by provider and job type.",
	}, []string{"provider", "type"})

	// Reports counts results reported to an SCM, by provider, state and outcome.
	Reports = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_reports_total",
		Help: "Results reported back to SCMs, by provider, state and outcome (sent, failed).",
	}, []string{"provider", "state", "outcome"})

	// ReportDuration is the time one report call to an SCM takes.
	ReportDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "fresnel_report_duration_seconds",
		Help:    "Time one report call to an SCM API takes.",
		Buckets: prometheus.DefBuckets,
	}, []string{"provider"})

	// ConfigReloads counts configuration loads by outcome.
	ConfigReloads = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_config_reloads_total",
		Help: "Configuration loads by outcome (success, failure).",
	}, []string{"outcome"})

	// InRepoLoads counts reads of a commit's in-repo jobs by outcome.
	InRepoLoads = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_inrepo_loads_total",
		Help: "Reads of a commit's in-repo jobs by outcome (success, failure); cached reads count too.",
	}, []string{"outcome"})

	// RunsSuperseded counts runs cancelled because a newer commit of their
	// pull request has a run of the same job.
	RunsSuperseded = promauto.NewCounter(prometheus.CounterOpts{
		Name: "fresnel_runs_superseded_total",
		Help: "Presubmit runs cancelled because a newer commit of their pull request has a run of the same job.",
	})

	// QueuedRunsStarted counts runs of max_concurrency jobs started from the queue.
	QueuedRunsStarted = promauto.NewCounter(prometheus.CounterOpts{
		Name: "fresnel_queued_runs_started_total",
		Help: "PipelineRuns of max_concurrency jobs started once a slot was free.",
	})
)

// External plugins: deliveries forwarded to plugins.yaml's external_plugins.
var (
	// ExternalPluginDeliveries counts forwarded deliveries by plugin and
	// result (delivered, failed, dropped, abandoned).
	ExternalPluginDeliveries = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_external_plugin_deliveries_total",
		Help: "Deliveries forwarded to external plugins, by plugin and result (delivered, failed, dropped when the queue was full, abandoned at shutdown).",
	}, []string{"plugin", "result"})

	// ExternalPluginRetries counts calls to an external plugin repeated
	// after a 5xx answer or a network error.
	ExternalPluginRetries = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_external_plugin_retries_total",
		Help: "Calls to external plugins repeated after a 5xx answer or a network error, by plugin.",
	}, []string{"plugin"})

	// ExternalPluginDuration is the time one call to an external plugin takes.
	ExternalPluginDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "fresnel_external_plugin_duration_seconds",
		Help:    "Time one call to an external plugin takes, by plugin.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"plugin"})

	// ExternalPluginQueue is the number of deliveries waiting for a worker.
	ExternalPluginQueue = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "fresnel_external_plugin_queue_depth",
		Help: "Deliveries to external plugins waiting for a worker.",
	})
)

// Trust: who may start jobs (pkg/trust).
var (
	// TrustDecisions counts trust decisions by result (trusted,
	// untrusted, error).
	TrustDecisions = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_trust_decisions_total",
		Help: "Decisions whether a user or pull request may start jobs, by result (trusted, untrusted, error).",
	}, []string{"result"})

	// TrustAPICalls is how many SCM API calls one trust decision made;
	// answers kept in the cache make none.
	TrustAPICalls = promauto.NewHistogram(prometheus.HistogramOpts{
		Name:    "fresnel_trust_scm_calls_per_decision",
		Help:    "SCM API calls (membership, collaborator, labels) one trust decision made; cached answers make none.",
		Buckets: []float64{0, 1, 2, 3, 4},
	})

	// Refusals counts events that started nothing because someone was
	// not trusted or the trigger plugin is off, by reason.
	Refusals = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "fresnel_refusals_total",
		Help: "Events that started no jobs because the trigger plugin is off for the repo or a user or pull request is not trusted, by reason (trigger_disabled, untrusted_pull_request, untrusted_commenter, untrusted_label).",
	}, []string{"reason"})
)
