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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

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

// Entry is what garbage collection keeps of a run while it chooses: no
// more than the choice needs, so that a pass over many thousand runs
// (settled ones read page by page from the API server) holds little.
type Entry struct {
	Name string
	UID  types.UID
	// Job and Repo are the run's labels: runs are counted per both.
	Job, Repo string
	Periodic  bool
	Created   time.Time
	Finished  time.Time // zero while the run is unfinished
	// Scheduled is a periodic run's tick (its creation when it has none).
	Scheduled time.Time
	Reported  bool
}

// EntryOf is what garbage collection keeps of pr.
func EntryOf(pr *pipelinev1.PipelineRun) Entry {
	e := Entry{
		Name: pr.Name, UID: pr.UID, Job: pr.Labels[run.LabelJob], Repo: pr.Labels[run.LabelRepo],
		Periodic: pr.Labels[run.LabelType] == string(triggers.Periodic),
		Created:  pr.CreationTimestamp.Time, Scheduled: periodic.Scheduled(pr), Reported: Reported(pr),
	}
	if pr.IsDone() {
		e.Finished = FinishedAt(pr)
	}
	return e
}

// SettledEntryOf is what garbage collection keeps of a settled run, from
// its metadata: settling recorded when it finished, and it is reported.
func SettledEntryOf(m metav1.Object) Entry {
	labels, annotations := m.GetLabels(), m.GetAnnotations()
	e := Entry{
		Name: m.GetName(), UID: m.GetUID(), Job: labels[run.LabelJob], Repo: labels[run.LabelRepo],
		Periodic: labels[run.LabelType] == string(triggers.Periodic),
		Created:  m.GetCreationTimestamp().Time, Scheduled: periodic.Scheduled(m), Reported: true,
	}
	if t, err := time.Parse(time.RFC3339, annotations[run.AnnotationFinishedAt]); err == nil {
		e.Finished = t
	} else {
		e.Finished = e.Created // settled by hand: finished, when unknown
	}
	return e
}

func (e *Entry) done() bool { return !e.Finished.IsZero() }

// Victim is a run to delete and why.
type Victim struct {
	Run    *Entry
	Reason Reason
}

// Select returns the runs policy deletes at now, and how many it keeps
// only because their result is not reported yet. Unfinished runs stay,
// and so does the newest run of each periodic job, whose start the
// scheduler reads (as Prow's sinker keeps it).
func Select(runs []Entry, p Policy, now time.Time) (victims []Victim, unreported int) {
	keep := newestPeriodics(runs, p.Periodics)
	for _, group := range byJobAndRepo(runs) {
		for i, e := range group {
			reason := p.reason(e, i, now)
			switch {
			case reason == "" || keep[e]:
			case !e.Reported:
				unreported++
			default:
				victims = append(victims, Victim{Run: e, Reason: reason})
			}
		}
	}
	return victims, unreported
}

// reason says why the finished run at rank i (0 is the newest) of its
// job and repository goes, or "" if it stays.
func (p Policy) reason(e *Entry, i int, now time.Time) Reason {
	switch {
	case p.MaxAge > 0 && now.Sub(e.Finished) > p.MaxAge:
		return ReasonAge
	case p.KeepPerJob > 0 && i >= p.KeepPerJob:
		return ReasonCount
	}
	return ""
}

// byJobAndRepo groups the finished runs by job and repository, each group
// newest first.
func byJobAndRepo(runs []Entry) map[[2]string][]*Entry {
	groups := map[[2]string][]*Entry{}
	for i := range runs {
		if e := &runs[i]; e.done() {
			key := [2]string{e.Job, e.Repo}
			groups[key] = append(groups[key], e)
		}
	}
	for _, g := range groups {
		slices.SortFunc(g, newestFirst)
	}
	return groups
}

// newestFirst orders runs by creation, newest first; runs of the same
// second by name, so the order never depends on the list's.
func newestFirst(a, b *Entry) int {
	if c := b.Created.Compare(a.Created); c != 0 {
		return c
	}
	return cmp.Compare(b.Name, a.Name)
}

// newestPeriodics marks the newest run of each periodic job of active
// (every one when active is nil): the latest tick, of one tick the last
// name, as the scheduler chooses.
func newestPeriodics(runs []Entry, active map[string]bool) map[*Entry]bool {
	newest := map[string]*Entry{}
	for i := range runs {
		e := &runs[i]
		if !e.Periodic || (active != nil && !active[e.Job]) {
			continue
		}
		if cur, ok := newest[e.Job]; !ok || periodic.LaterTick(e.Scheduled, e.Name, cur.Scheduled, cur.Name) {
			newest[e.Job] = e
		}
	}
	keep := make(map[*Entry]bool, len(newest))
	for _, e := range newest {
		keep[e] = true
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
