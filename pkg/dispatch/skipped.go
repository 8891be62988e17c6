package dispatch

import (
	"context"
	"fmt"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Skipped contexts. A branch protection may require the context of a job
// that runs only when certain files change (run_if_changed,
// skip_if_only_changed); when a change does not touch them the job does
// not run, reports nothing, and the pull request (or merge group) would
// wait for that context forever. So, as Prow's trigger did before it left
// such contexts unreported, fresnel marks them passed ("Skipped") on the
// commit, where the SCM can (providers.SkipReporter). It does so only for
// the jobs a protection could require: not optional, not skip_report,
// able to run on the base branch, not run by this event under the same
// context, and with no run of their own on the commit already.

// reportSkipped marks the contexts of ev's required jobs that did not
// need to run as passed, and says so in out.
func (d *Dispatcher) reportSkipped(ctx context.Context, in providers.Instance, ev event.Event, jobs *triggers.Config, sel triggers.Selection, out *Outcome) {
	reporter, ok := in.Intake.(providers.SkipReporter)
	if !ok || !evaluatesChangeRules(ev) {
		return
	}
	skipped := skippedRequired(jobs.Presubmits[ev.Repo.FullName], ev.BaseRef, sel)
	if len(skipped) == 0 {
		return
	}
	skipped, err := d.withoutRuns(ctx, ev, skipped)
	if err != nil {
		out.Warnings = append(out.Warnings, "skipped contexts not reported: "+err.Error())
		return
	}
	for _, s := range skipped {
		err := reporter.SetSkipped(ctx, ev.CommitRef(), s.job.ContextName(), s.job.Name, s.why)
		if err != nil {
			out.Warnings = append(out.Warnings, fmt.Sprintf("skipped context %s not reported: %v", s.job.ContextName(), err))
			continue
		}
		out.Actions = append(out.Actions, "reported "+s.job.ContextName()+" as skipped")
	}
}

// evaluatesChangeRules reports whether ev ran what an update of its pull
// request runs (or what a merge queue waits for), so that a conditional
// job it did not run was left out by its changed-file rules.
func evaluatesChangeRules(ev event.Event) bool {
	switch {
	case ev.Kind == event.KindMergeGroup:
		return ev.Action == event.ActionChecksRequested
	case ev.Kind != event.KindPullRequest || ev.Draft || ev.Unmergeable:
		return false
	}
	switch ev.Action {
	case event.ActionOpened, event.ActionReopened, event.ActionSynchronize, event.ActionReadyForReview:
		return true
	case event.ActionEdited:
		return ev.PreviousBaseRef != ""
	case event.ActionLabeled:
		return ev.Label == triggers.OkToTestLabel
	}
	return false
}

// skip is a job whose context is reported skipped, and why.
type skip struct {
	job *triggers.Job
	why string
}

// skippedRequired are the conditional jobs a protection could require that
// sel skipped, with the reason selection gave.
func skippedRequired(presubmits []*triggers.Job, branch string, sel triggers.Selection) []skip {
	why := map[string]string{}
	for _, s := range sel.Skipped {
		why[s.Job] = s.Reason
	}
	ran := map[string]bool{}
	for _, j := range sel.Runs {
		ran[j.ContextName()] = true
	}
	var out []skip
	for _, j := range presubmits {
		reason, skipped := why[j.Name]
		conditional := !j.AlwaysRun && (j.RunIfChanged != "" || j.SkipIfOnlyChanged != "")
		if skipped && conditional && !j.Optional && !j.SkipReport && j.RunsOnBranch(branch) && !ran[j.ContextName()] {
			out = append(out, skip{job: j, why: reason})
		}
	}
	return out
}

// withoutRuns drops the jobs whose context already has a run on the
// event's commit (a /test of it, say): its result stands.
func (d *Dispatcher) withoutRuns(ctx context.Context, ev event.Event, skipped []skip) ([]skip, error) {
	if d.FailedContexts == nil {
		return skipped, nil
	}
	existing, err := d.FailedContexts(ctx, ev)
	if err != nil {
		return nil, err
	}
	var out []skip
	for _, s := range skipped {
		if _, ran := existing[s.job.ContextName()]; !ran {
			out = append(out, s)
		}
	}
	return out, nil
}
