// Package dispatch decides what a normalized event does (which jobs run)
// and launches it: the step between a provider's Parse and the cluster.
package dispatch

import (
	"context"
	"fmt"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Outcome is what an event did.
type Outcome struct {
	Runs    []launch.Run    `json:"runs"`
	Skipped []triggers.Skip `json:"skipped,omitempty"`
	// Cancelled names the runs a closed pull request stopped.
	Cancelled []string `json:"cancelled,omitempty"`
	// Warnings say what went wrong without stopping the event: in-repo
	// jobs that could not be used, and whether that was reported, and what
	// reading them warned about.
	Warnings []string `json:"warnings,omitempty"`
	// Refused says why the event started nothing: the trigger plugin is
	// off for the repo, or its pull request or commenter is not trusted.
	Refused string `json:"refused,omitempty"`
	// Actions are what deciding trust did on the SCM (labels, comments).
	Actions []string `json:"actions,omitempty"`
	// Plugins says what each plugin did for the event, failures included.
	Plugins []plugins.Result `json:"plugins,omitempty"`
}

// Launcher creates the PipelineRuns of selected jobs, and cancels the
// unfinished runs of a pull request that was closed.
type Launcher interface {
	Launch(ctx context.Context, ev event.Event, jobs []*triggers.Job) ([]launch.Run, error)
	CancelPullRequest(ctx context.Context, ev event.Event) ([]string, error)
}

// Dispatcher selects jobs for events and launches them.
type Dispatcher struct {
	// Config returns the job configuration in force.
	Config   func() *triggers.Config
	Launcher Launcher
	// FailedContexts lists the contexts that failed on a commit (for /retest).
	FailedContexts func(ctx context.Context, ev event.Event) (map[string]bool, error)
	// InRepo reads the jobs repositories keep in themselves; nil reads none.
	InRepo *InRepo
	// Trust decides who may start jobs; nil makes one with defaults.
	Trust     *trust.Decider
	trustOnce sync.Once
	// BotUser returns fresnel's own login on an instance, "" when not
	// known: fresnel trusts itself and recognises its own comments.
	BotUser func(in providers.Instance) string
	// Log receives a line for each refused event; nil logs to logrus's
	// standard logger.
	Log      logrus.FieldLogger
	okToTest okToTestMemory
	// Plugins runs the plugins enabled for each event before jobs are
	// selected; nil runs none.
	Plugins *plugins.Runner
}

// Handle selects the jobs ev runs on the instance it came from and
// returns once every selected PipelineRun exists. A closed pull request
// cancels its unfinished runs first.
func (d *Dispatcher) Handle(ctx context.Context, in providers.Instance, ev event.Event) (Outcome, error) {
	var results []plugins.Result
	if d.Plugins != nil {
		results = d.Plugins.Handle(ctx, in.Intake, ev)
	}
	ev, err := d.complete(ctx, in, ev)
	if err != nil {
		return Outcome{Plugins: results}, err
	}
	var cancelled []string
	if closes(ev) {
		if cancelled, err = d.Launcher.CancelPullRequest(ctx, ev); err != nil {
			return Outcome{Runs: []launch.Run{}, Cancelled: cancelled, Plugins: results}, fmt.Errorf("dispatch: %w", err)
		}
	}
	out, err := d.admitAndLaunch(ctx, in, ev)
	out.Cancelled, out.Plugins = cancelled, results
	return out, err
}

// closes reports whether ev ends a pull request or a merge group, whose
// unfinished runs are then cancelled.
func closes(ev event.Event) bool {
	return (ev.Kind == event.KindPullRequest || ev.Kind == event.KindMergeGroup) && ev.Action == event.ActionClosed
}

func (d *Dispatcher) selectAndLaunch(ctx context.Context, in providers.Instance, ev event.Event) (Outcome, error) {
	jobs, warnings := d.jobs(ctx, in, ev)
	sel, err := jobs.Select(ev, d.inputs(ctx, in, ev))
	if err != nil {
		return Outcome{Warnings: warnings}, fmt.Errorf("dispatch: %w", err)
	}
	out := Outcome{Runs: []launch.Run{}, Skipped: sel.Skipped, Warnings: warnings}
	d.reply(ctx, in, ev, sel.Reply, &out)
	if len(sel.Runs) == 0 {
		d.reportSkipped(ctx, in, ev, jobs, sel, &out)
		return out, nil
	}
	runs, err := d.Launcher.Launch(ctx, ev, sel.Runs)
	if err == nil {
		d.reportSkipped(ctx, in, ev, jobs, sel, &out)
	}
	out.Runs = runs
	for i, r := range runs {
		if r.Created {
			metrics.RunsCreated.WithLabelValues(ev.Provider, string(sel.Runs[i].Type)).Inc()
		}
	}
	return out, err
}

// complete reads what a comment event lacks about its pull request, but
// only when the comment could start jobs.
func (d *Dispatcher) complete(ctx context.Context, in providers.Instance, ev event.Event) (event.Event, error) {
	if ev.Kind != event.KindComment || ev.HeadSHA != "" && ev.BaseRef != "" {
		return ev, nil
	}
	if ev.Comment == nil || !isCommand(d.Config(), ev.Repo.FullName, ev.Comment.Body) || !d.mayHavePresubmits(in, ev.Repo.FullName) {
		return ev, nil
	}
	reader, ok := in.Intake.(providers.PullRequestReader)
	if !ok {
		return ev, fmt.Errorf("dispatch: %s cannot read pull requests", in.Kind)
	}
	return reader.CompletePullRequest(ctx, ev)
}

func (d *Dispatcher) inputs(ctx context.Context, in providers.Instance, ev event.Event) triggers.Inputs {
	inputs := triggers.Inputs{}
	if lister, ok := in.Intake.(providers.ChangeLister); ok && (ev.IsPullRequest() || ev.FilesUnlisted) {
		inputs.ChangedFiles = func() ([]string, error) { return lister.ChangedFiles(ctx, ev) }
	}
	if d.FailedContexts != nil {
		inputs.FailedContexts = func() (map[string]bool, error) { return d.FailedContexts(ctx, ev) }
	}
	return inputs
}

// reply posts the answer selection gave a comment (the jobs /test can
// name, say) on its pull request; a failure to post is a warning.
func (d *Dispatcher) reply(ctx context.Context, in providers.Instance, ev event.Event, body string, out *Outcome) {
	if body == "" || !ev.IsPullRequest() {
		return
	}
	c, ok := in.Intake.(providers.Commenter)
	if !ok {
		out.Warnings = append(out.Warnings, in.Kind+" cannot comment: reply not posted")
		return
	}
	if who := commenter(ev); who != "" {
		body = "@" + who + ": " + body
	}
	if _, err := c.Comment(ctx, event.Target{Repo: ev.Repo.FullName, Number: ev.Number}, body); err != nil {
		out.Warnings = append(out.Warnings, "reply not posted: "+err.Error())
		return
	}
	out.Actions = append(out.Actions, "replied with the commands that can run")
}
