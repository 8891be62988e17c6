// Package periodic starts the runs of periodic jobs on their schedule, from
// the elected controller only. Each tick's PipelineRun is named after the
// job and the tick, so two replicas, a failover or a restart never start a
// tick twice: the apiserver's AlreadyExists is the duplicate check.
//
// When a periodic is due follows Prow's horologium: a job never overlaps
// itself; an interval job is due its interval after its last run started,
// a minimum_interval job its minimum interval after its last run finished,
// a cron job at its next tick after the tick its last run was for. Ticks
// missed while no controller ran, or while the last run still ran, start
// one run, for the latest of them, not one per missed tick.
package periodic

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/fresnel-ci/fresnel/triggers"
)

// Last is what the cluster says about a periodic job's newest run.
type Last struct {
	// Scheduled is the tick the run was started for.
	Scheduled time.Time
	// Started is when it started, as its status says (else its creation).
	Started time.Time
	// Finished is when it finished; zero while it runs.
	Finished time.Time
}

// Decision says whether a job is due and for which tick; when it is not,
// Next says when to look again.
type Decision struct {
	Due  bool
	Tick time.Time
	Next time.Time
}

// Rule is a periodic job's timing: cron, interval or minimum_interval.
type Rule interface {
	// Decide says whether the job is due at now, given its newest run
	// (nil if it has none), whether any of its runs is unfinished, and
	// since when the scheduler has known the job.
	Decide(last *Last, running bool, since, now time.Time) Decision
}

// RuleOf reads a periodic job's schedule. Cron expressions have five
// fields or a descriptor (@daily, @every 2h) and are read in UTC unless
// they name a zone with CRON_TZ=, as Prow reads them.
func RuleOf(job *triggers.Job) (Rule, error) {
	switch {
	case job.Cron != "":
		spec := job.Cron
		if !strings.HasPrefix(spec, "TZ=") && !strings.HasPrefix(spec, "CRON_TZ=") {
			spec = "CRON_TZ=UTC " + spec
		}
		s, err := cron.ParseStandard(spec)
		if err != nil {
			return nil, fmt.Errorf("periodic: %s: cron %q: %w", job.Name, job.Cron, err)
		}
		return cronRule{s}, nil
	case job.Interval != "":
		return parseInterval(job.Name, "interval", job.Interval, false)
	case job.MinimumInterval != "":
		return parseInterval(job.Name, "minimum_interval", job.MinimumInterval, true)
	}
	return nil, fmt.Errorf("periodic: %s: no cron, interval or minimum_interval", job.Name)
}

func parseInterval(job, field, value string, fromFinish bool) (Rule, error) {
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		return nil, fmt.Errorf("periodic: %s: %s %q is not a positive duration", job, field, value)
	}
	return intervalRule{every: d, fromFinish: fromFinish}, nil
}

// intervalRule is due its interval after the last run started, or with
// fromFinish (minimum_interval) after it finished.
type intervalRule struct {
	every      time.Duration
	fromFinish bool
}

// Decide: a job that never ran is due at once; its tick is now cut to the
// interval, so replicas deciding at nearly the same time agree on it. Later
// ticks come from the last run as the cluster records it, so every replica
// computes the same one, and a tick missed for long is one run, after which
// the next is an interval after that run.
func (r intervalRule) Decide(last *Last, running bool, _, now time.Time) Decision {
	switch {
	case running:
		return Decision{Next: now.Add(r.every)}
	case last == nil:
		return Decision{Due: true, Tick: now.Truncate(r.every)}
	}
	ref := last.Started
	if r.fromFinish {
		ref = last.Finished
	}
	tick := ref.Add(r.every)
	if now.Before(tick) {
		return Decision{Next: tick}
	}
	return Decision{Due: true, Tick: tick}
}

// cronRule is due at the schedule's ticks.
type cronRule struct{ schedule cron.Schedule }

// maxSteps bounds the walk over ticks missed during a long outage: five
// fields tick at most once a minute, so this covers about 90 days.
const maxSteps = 1 << 17

// Decide: the first tick after the last run's (or, for a job that never
// ran, after the scheduler first knew it) makes the job due; of the ticks
// passed since, the latest is the one run.
func (r cronRule) Decide(last *Last, running bool, since, now time.Time) Decision {
	from := since
	if last != nil {
		from = last.Scheduled
	}
	first := r.schedule.Next(from)
	switch {
	case first.After(now):
		return Decision{Next: first}
	case running:
		return Decision{Next: r.schedule.Next(now)}
	}
	return Decision{Due: true, Tick: r.latest(first, now)}
}

// latest is the last tick at or before now, starting from first.
func (r cronRule) latest(first, now time.Time) time.Time {
	if every, ok := r.schedule.(cron.ConstantDelaySchedule); ok {
		// @every ticks are whole seconds apart from first on.
		return first.Add(now.Sub(first) / every.Delay * every.Delay)
	}
	tick := first
	for range maxSteps {
		next := r.schedule.Next(tick)
		if next.After(now) || next.IsZero() {
			break
		}
		tick = next
	}
	return tick
}
