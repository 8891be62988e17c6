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
	// Redelivered says what was not done again because an earlier copy
	// of the same delivery did it (see Seen).
	Redelivered []string `json:"redelivered,omitempty"`
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
	// Seen remembers which side effects of a delivery completed, so that
	// a redelivery does not repeat them; nil makes one with its defaults.
	Seen     *Seen
	seenOnce sync.Once
}

// Handle selects the jobs ev runs on the instance it came from and
// returns once every selected PipelineRun exists. A closed pull request
// cancels its unfinished runs first.
// A failure to reach the cluster is a providers.Unavailable.
func (d *Dispatcher) Handle(ctx context.Context, in providers.Instance, ev event.Event) (Outcome, error) {
	results, again, err := d.runPlugins(ctx, in, ev)
	if err != nil {
		return Outcome{Redelivered: again}, err
	}
	ev, err = d.complete(ctx, in, ev)
	if err != nil {
		return Outcome{Plugins: results, Redelivered: again}, err
	}
	var cancelled []string
	if closes(ev) {
		if cancelled, err = d.Launcher.CancelPullRequest(ctx, ev); err != nil {
			return Outcome{Runs: []launch.Run{}, Cancelled: cancelled, Plugins: results, Redelivered: again}, clusterError(ev, "cancel runs", err)
		}
	}
	out, err := d.admitAndLaunch(ctx, in, ev)
	out.Cancelled, out.Plugins = cancelled, results
	out.Redelivered = append(again, out.Redelivered...)
	return out, err
}

// runPlugins runs ev's plugins unless an earlier copy of its delivery
// ran them to the end; then it says so instead.
func (d *Dispatcher) runPlugins(ctx context.Context, in providers.Instance, ev event.Event) ([]plugins.Result, []string, error) {
	if d.Plugins == nil {
		return nil, nil, nil
	}
	claim, err := d.seen().Claim(ctx, seenKey(ev, stepPlugins))
	if err != nil {
		return nil, nil, err
	}
	if claim.Done {
		return nil, []string{"plugins not run again: delivery " + ev.Delivery + " ran them"}, nil
	}
	results := d.Plugins.Handle(ctx, in.Intake, ev)
	claim.Release(pluginsCompleted(results))
	return results, nil, nil
}

// pluginsCompleted reports whether every plugin did its work: none
// failed other than by refusing the command (the refusal was answered).
func pluginsCompleted(results []plugins.Result) bool {
	for _, r := range results {
		if r.Error != "" && !r.Refused {
			return false
		}
	}
	return true
}

func (d *Dispatcher) seen() *Seen {
	d.seenOnce.Do(func() {
		if d.Seen == nil {
			d.Seen = &Seen{}
		}
	})
	return d.Seen
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
	err = clusterError(ev, "create PipelineRuns", err)
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
	claim, err := d.seen().Claim(ctx, seenKey(ev, stepReply))
	switch {
	case err != nil:
		out.Warnings = append(out.Warnings, "reply not posted: "+err.Error())
		return
	case claim.Done:
		out.Redelivered = append(out.Redelivered, "reply not posted again: delivery "+ev.Delivery+" posted it")
		return
	}
	claim.Release(d.postReply(ctx, in, ev, body, out))
}

// postReply posts body, mentioning the commenter; it reports success.
func (d *Dispatcher) postReply(ctx context.Context, in providers.Instance, ev event.Event, body string, out *Outcome) bool {
	c, ok := in.Intake.(providers.Commenter)
	if !ok {
		out.Warnings = append(out.Warnings, in.Kind+" cannot comment: reply not posted")
		return true // nothing to retry: it never can
	}
	if who := commenter(ev); who != "" {
		body = "@" + who + ": " + body
	}
	if _, err := c.Comment(ctx, event.Target{Repo: ev.Repo.FullName, Number: ev.Number}, body); err != nil {
		out.Warnings = append(out.Warnings, "reply not posted: "+err.Error())
		return false
	}
	out.Actions = append(out.Actions, "replied with the commands that can run")
	return true
}
