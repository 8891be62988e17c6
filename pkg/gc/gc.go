// Package gc deletes finished PipelineRuns fresnel manages once they are
// old, or beyond the newest few of their job and repository, as Prow's
// sinker and Lighthouse's gc do: on the elected leader only, a few
// deletions a second, and never a run whose result is not reported yet.
package gc

import (
	"cmp"
	"slices"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/periodic"
	"github.com/fresnel-ci/fresnel/pkg/report"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Policy says which finished runs go.
type Policy struct {
	// MaxAge deletes runs finished longer ago than this; zero keeps runs
	// whatever their age.
	MaxAge time.Duration
	// KeepPerJob keeps the newest N finished runs of each job and
	// repository and deletes older ones; zero keeps any number.
	KeepPerJob int
	// Periodics are the job labels of the periodics in the configuration:
	// the newest run of each stays. Nil keeps the newest run of every
	// periodic job, configured or not.
	Periodics map[string]bool
}

// Reason says why a run is deleted.
type Reason string

// Reasons, as the metric fresnel_gc_deletions_total labels them.
const (
	ReasonAge   Reason = "age"
	ReasonCount Reason = "count"
)

// Victim is a run to delete and why.
type Victim struct {
	Run    *pipelinev1.PipelineRun
	Reason Reason
}

// Select returns the runs policy deletes at now, and how many it keeps
// only because their result is not reported yet. Unfinished runs stay,
// and so does the newest run of each periodic job, whose start the
// scheduler reads (as Prow's sinker keeps it).
func Select(runs []*pipelinev1.PipelineRun, p Policy, now time.Time) (victims []Victim, unreported int) {
	keep := newestPeriodics(runs, p.Periodics)
	for _, group := range byJobAndRepo(runs) {
		for i, pr := range group {
			reason := p.reason(pr, i, now)
			switch {
			case reason == "" || keep[pr]:
			case !Reported(pr):
				unreported++
			default:
				victims = append(victims, Victim{Run: pr, Reason: reason})
			}
		}
	}
	return victims, unreported
}

// reason says why the finished run at rank i (0 is the newest) of its
// job and repository goes, or "" if it stays.
func (p Policy) reason(pr *pipelinev1.PipelineRun, i int, now time.Time) Reason {
	switch {
	case p.MaxAge > 0 && now.Sub(FinishedAt(pr)) > p.MaxAge:
		return ReasonAge
	case p.KeepPerJob > 0 && i >= p.KeepPerJob:
		return ReasonCount
	}
	return ""
}

// byJobAndRepo groups the finished runs by job and repository labels,
// each group newest first.
func byJobAndRepo(runs []*pipelinev1.PipelineRun) map[[2]string][]*pipelinev1.PipelineRun {
	groups := map[[2]string][]*pipelinev1.PipelineRun{}
	for _, pr := range runs {
		if pr.IsDone() {
			key := [2]string{pr.Labels[run.LabelJob], pr.Labels[run.LabelRepo]}
			groups[key] = append(groups[key], pr)
		}
	}
	for _, g := range groups {
		slices.SortFunc(g, newestFirst)
	}
	return groups
}

func newestFirst(a, b *pipelinev1.PipelineRun) int {
	if c := b.CreationTimestamp.Compare(a.CreationTimestamp.Time); c != 0 {
		return c
	}
	return cmp.Compare(b.Name, a.Name)
}

// newestPeriodics marks the newest run of each periodic job of active
// (every one when active is nil).
func newestPeriodics(runs []*pipelinev1.PipelineRun, active map[string]bool) map[*pipelinev1.PipelineRun]bool {
	newest := map[string]*pipelinev1.PipelineRun{}
	for _, pr := range runs {
		job := pr.Labels[run.LabelJob]
		if pr.Labels[run.LabelType] != string(triggers.Periodic) || (active != nil && !active[job]) {
			continue
		}
		if cur, ok := newest[job]; !ok || periodic.Newer(pr, cur) {
			newest[job] = pr
		}
	}
	keep := make(map[*pipelinev1.PipelineRun]bool, len(newest))
	for _, pr := range newest {
		keep[pr] = true
	}
	return keep
}

// FinishedAt is when a finished run finished: its completion time, else
// its start, else its creation.
func FinishedAt(pr *pipelinev1.PipelineRun) time.Time {
	switch {
	case pr.Status.CompletionTime != nil:
		return pr.Status.CompletionTime.Time
	case pr.Status.StartTime != nil:
		return pr.Status.StartTime.Time
	}
	return pr.CreationTimestamp.Time
}

// Reported says the run's final result was reported, or that it is not
// to be: the reporter records the state it reported on the run.
func Reported(pr *pipelinev1.PipelineRun) bool {
	if pr.Annotations[run.AnnotationSkipReport] == "true" {
		return true
	}
	state, _ := report.StateOf(pr)
	return pr.Annotations[run.AnnotationReportedState] == string(state)
}
