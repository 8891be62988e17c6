package plugins

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Runner runs the enabled plugins of each event.
type Runner struct {
	// Config returns plugins.yaml in force; nil, or a nil file, means
	// none (DefaultPlugins).
	Config func() *triggers.PluginsFile
	// Runs cancels runs for /cancel; nil leaves it unable to.
	Runs RunCanceller
	// Trusted decides who may use trusted commands; nil means DefaultTrust.
	Trusted TrustFunc
	// Log receives one line per state-changing command; nil is logrus's
	// standard logger.
	Log logrus.FieldLogger
}

// Handle runs the plugins ev's repository enables: each one's OnEvent,
// then, for a new comment, the commands it holds. Failures are answered in
// one reply comment mentioning the commenter, and are in the results.
func (r *Runner) Handle(ctx context.Context, scm any, ev event.Event) []Result {
	a := r.agent(scm, ev)
	var results []Result
	for _, name := range a.Enabled {
		if p, ok := Get(name); ok && p.OnEvent != nil {
			results = append(results, r.onEvent(ctx, a, p)...)
		}
	}
	if isCommandEvent(ev) {
		results = append(results, r.commands(ctx, a)...)
	}
	return r.replyFailures(ctx, a, results)
}

func (r *Runner) agent(scm any, ev event.Event) *Agent {
	var file *triggers.PluginsFile
	if r.Config != nil {
		file = r.Config()
	}
	if file == nil {
		file = &triggers.PluginsFile{}
	}
	log := r.Log
	if log == nil {
		log = logrus.StandardLogger()
	}
	trusted := r.Trusted
	if trusted == nil {
		trusted = DefaultTrust
	}
	return &Agent{
		Event: ev, SCM: scm, Config: file, Enabled: EnabledFor(file, ev.Repo.FullName), Runs: r.Runs, trusted: trusted,
		Log: log.WithFields(logrus.Fields{"delivery": ev.Delivery, "instance": ev.Instance, "repo": ev.Repo.FullName, "number": ev.Number}),
	}
}

func (r *Runner) onEvent(ctx context.Context, a *Agent, p *Plugin) []Result {
	var did []string
	err := protect(p.Name, func() (err error) {
		did, err = p.OnEvent(ctx, a)
		return err
	})
	results := make([]Result, 0, len(did)+1)
	for _, d := range did {
		a.Log.WithFields(logrus.Fields{"plugin": p.Name, "user": a.Event.Sender, "event": a.Event.String()}).Info(d)
		results = append(results, Result{Plugin: p.Name, User: a.Event.Sender, Result: d})
	}
	if err != nil {
		results = append(results, Result{Plugin: p.Name, User: a.Event.Sender, Error: err.Error(), Refused: isRefusal(err)})
	}
	return results
}

// commands runs, in order, every command line of the comment whose
// plugin is enabled; lines of other plugins and unknown words are left
// alone.
func (r *Runner) commands(ctx context.Context, a *Agent) []Result {
	var results []Result
	for _, line := range ParseLines(a.Event.Comment.Body) {
		p, c, ok := command(line.Name)
		if !ok || c.Run == nil || !slices.Contains(a.Enabled, p.Name) {
			continue
		}
		inv, ok := c.match(line)
		if !ok {
			continue
		}
		results = append(results, r.runCommand(ctx, a, p, c, inv))
	}
	return results
}

func (r *Runner) runCommand(ctx context.Context, a *Agent, p *Plugin, c *Command, inv Invocation) Result {
	res := Result{Plugin: p.Name, Command: inv.Line, User: a.User()}
	err := protect(p.Name, func() (err error) {
		res.Result, err = c.Run(ctx, a, inv)
		return err
	})
	if err != nil {
		res.Error, res.Refused = err.Error(), isRefusal(err)
	}
	if c.ChangesState {
		a.Log.WithFields(logrus.Fields{"plugin": p.Name, "user": res.User, "command": inv.Line, "result": res.Result, "error": res.Error}).Info("command")
	}
	return res
}

// isRefusal reports whether err is a Refusal.
func isRefusal(err error) bool {
	var r Refusal
	return errors.As(err, &r)
}

// protect runs f, turning a panic into an error naming the plugin.
func protect(plugin string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			logrus.WithFields(logrus.Fields{"plugin": plugin, "stack": string(debug.Stack())}).Error("plugin panicked")
			err = fmt.Errorf("plugins: %s failed unexpectedly (%v); this is a bug in fresnel", plugin, v)
		}
	}()
	return f()
}

// replyFailures posts one comment for every failure of the event,
// mentioning the commenter. A failure to post is added to the results.
func (r *Runner) replyFailures(ctx context.Context, a *Agent, results []Result) []Result {
	body := failureReply(a.Mention(a.User()), results)
	if body == "" || !a.Event.IsPullRequest() {
		return results
	}
	if err := a.Comment(ctx, body); err != nil {
		a.Log.WithError(err).Error("could not reply to a failed command")
		results = append(results, Result{Plugin: "plugins", User: a.User(), Error: "reply: " + err.Error()})
	}
	return results
}

// failureReply is the text of the reply for results' failures, or "";
// mention addresses the commenter.
func failureReply(mention string, results []Result) string {
	var lines []string
	for _, res := range results {
		switch {
		case res.Error == "":
		case res.Command != "":
			lines = append(lines, fmt.Sprintf("`%s`: %s", res.Command, res.Error))
		default:
			lines = append(lines, fmt.Sprintf("%s: %s", res.Plugin, res.Error))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	if mention == "" {
		return strings.Join(lines, "\n")
	}
	if len(lines) == 1 {
		return mention + ": " + lines[0]
	}
	return mention + ":\n- " + strings.Join(lines, "\n- ")
}
