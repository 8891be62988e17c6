// Package run names the labels and annotations of the PipelineRun, which
// is fresnel's record of a job: pkg/launch writes them, pkg/report and
// pkg/lifecycle read them. Beside them live the indexes and selectors
// runs are found by, and a paged list of runs.
package run

// Labels and annotations fresnel puts on every PipelineRun it creates.
const (
	LabelManaged  = "fresnel.dev/managed"
	LabelProvider = "fresnel.dev/provider"
	LabelType     = "fresnel.dev/type"
	LabelJob      = "fresnel.dev/job"
	LabelPull     = "fresnel.dev/pull"
	LabelSHA      = "fresnel.dev/sha"
	LabelRepo     = "fresnel.dev/repo"
	// LabelSettled ("true") marks a finished run whose final result is
	// reported, or is not to be: the controller's cache leaves settled
	// runs out, so its memory does not grow with the runs kept.
	LabelSettled = "fresnel.dev/settled"

	AnnotationRepo          = "fresnel.dev/repo"
	AnnotationSHA           = "fresnel.dev/sha"
	AnnotationBaseRef       = "fresnel.dev/base-ref"
	AnnotationContext       = "fresnel.dev/context"
	AnnotationDelivery      = "fresnel.dev/delivery"
	AnnotationInstance      = "fresnel.dev/instance"
	AnnotationReportedState = "fresnel.dev/reported-state"
	AnnotationSkipReport    = "fresnel.dev/skip-report"
	AnnotationLink          = "fresnel.dev/link"
	// AnnotationMaxConcurrency carries a job's max_concurrency: such a run
	// is created pending and the controller starts it when a slot is free.
	AnnotationMaxConcurrency = "fresnel.dev/max-concurrency"
	// AnnotationCancelled says why fresnel cancelled a run whose result no
	// longer mattered.
	AnnotationCancelled = "fresnel.dev/cancelled"
	// AnnotationCheckRun is the id of the run's check (a GitHub check
	// run), so that every report of the run updates the same one.
	AnnotationCheckRun = "fresnel.dev/check-run"
	// AnnotationRerunCommand is the comment that runs a presubmit's job
	// again (its rerun_command), offered in the summary of failed jobs.
	AnnotationRerunCommand = "fresnel.dev/rerun-command"
	// AnnotationScheduled is the tick, in RFC 3339, a periodic's run was
	// started for.
	AnnotationScheduled = "fresnel.dev/scheduled"
	// AnnotationResult is a settled run's result: the reason of its
	// Succeeded condition (Succeeded, Failed, PipelineRunTimeout, ...).
	AnnotationResult = "fresnel.dev/result"
	// AnnotationJobName is a settled run's job, its whole name (the
	// job label is cut to 63 characters).
	AnnotationJobName = "fresnel.dev/job-name"
	// AnnotationFinishedAt is when a settled run finished, RFC 3339.
	// With AnnotationResult and AnnotationJobName, a settled run's metadata says all that
	// garbage collection and reports read of it.
	AnnotationFinishedAt = "fresnel.dev/finished-at"
)
