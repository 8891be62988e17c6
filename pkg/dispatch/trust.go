package dispatch

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Trust before work, as Prow's trigger plugin does it: a pull request
// starts jobs only when its author is trusted or it carries ok-to-test; a
// comment command only when its author is trusted. Nothing of an
// untrusted pull request is read (in-repo jobs included) and nothing is
// started; it is labelled needs-ok-to-test and its author told once.

// okToTestRe is the /ok-to-test command, on a line of its own.
var okToTestRe = regexp.MustCompile(`(?m)^/ok-to-test\s*$`)

// okToTestCancelRe is /ok-to-test cancel, which takes ok-to-test back.
var okToTestCancelRe = regexp.MustCompile(`(?m)^/ok-to-test cancel\s*$`)

// isCommand reports whether a comment on a pull request of repo carries a
// command that starts jobs: /test, /retest, /ok-to-test, or a line that
// matches a job's own trigger.
func isCommand(cfg *triggers.Config, repo, body string) bool {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	return triggers.HasTestCommand(body) || okToTestRe.MatchString(body) ||
		okToTestCancelRe.MatchString(body) || cfg.Triggered(repo, body)
}

// untrustedActions are the pull request actions that, on an untrusted
// pull request, get it labelled needs-ok-to-test and its author told.
var untrustedActions = map[event.Action]bool{
	event.ActionOpened: true, event.ActionReopened: true, event.ActionSynchronize: true,
	event.ActionReadyForReview: true, event.ActionEdited: true,
}

// noticeMarker marks fresnel's comment on an untrusted pull request, so
// that it is posted once, not on every push.
const noticeMarker = "<!-- fresnel: needs-ok-to-test -->"

// admission is whether an event may go on to start jobs, and what deciding
// it did on the SCM.
type admission struct {
	// refused says why the event starts nothing; empty lets it go on.
	refused string
	// reason names the refusal in the refusals metric.
	reason   string
	actions  []string
	warnings []string
	// unsent is set when a comment could not be posted, so a redelivery
	// tries again.
	unsent bool
	// redelivered says what was not posted again (see Seen).
	redelivered []string
}

// admitAndLaunch checks that the trigger plugin is on for the repository
// and that whoever the event comes from is trusted, then selects and
// launches its jobs.
func (d *Dispatcher) admitAndLaunch(ctx context.Context, in providers.Instance, ev event.Event) (Outcome, error) {
	adm, err := d.admitOnce(ctx, in, ev)
	if err != nil {
		return Outcome{Runs: []launch.Run{}, Actions: adm.actions, Warnings: adm.warnings, Redelivered: adm.redelivered}, fmt.Errorf("dispatch: %w", err)
	}
	if adm.refused != "" {
		d.logRefusal(ev, adm)
		out := d.refusal(ev, adm)
		out.Redelivered = adm.redelivered
		return out, nil
	}
	out, err := d.selectAndLaunch(ctx, in, ev)
	out.Actions = append(adm.actions, out.Actions...)
	out.Warnings = append(adm.warnings, out.Warnings...)
	out.Redelivered = append(adm.redelivered, out.Redelivered...)
	return out, err
}

// admitOnce decides ev's admission; when an earlier copy of its delivery
// posted the gate's comments, they are not posted again (labels, which
// are harmless to set twice, are).
func (d *Dispatcher) admitOnce(ctx context.Context, in providers.Instance, ev event.Event) (admission, error) {
	claim, err := d.seen().Claim(ctx, seenKey(ev, stepTrust))
	if err != nil {
		return admission{}, err
	}
	adm, err := d.admit(ctx, in, ev, claim.Done)
	claim.Release(err == nil && !adm.unsent)
	return adm, err
}

// admit decides ev's admission; quiet holds back the gate's comments.
func (d *Dispatcher) admit(ctx context.Context, in providers.Instance, ev event.Event, quiet bool) (admission, error) {
	cfg := d.Config()
	repo := ev.Repo.FullName
	if !mayStartJobs(cfg, ev) {
		return admission{}, nil // a plain comment, a closed pull request: nothing to refuse
	}
	if ok, why := cfg.Plugins.TriggerEnabled(repo); !ok {
		return admission{refused: why, reason: "trigger_disabled"}, nil
	}
	if ev.Kind == event.KindPush || ev.Kind == event.KindMergeGroup || !d.mayHavePresubmits(in, repo) {
		// Pushes come from people who may write; a merge group is made by
		// the SCM from pull requests already approved to merge; no jobs,
		// nothing to guard.
		return admission{}, nil
	}
	g := &gate{d: d, ctx: ctx, in: in, ev: ev, settings: cfg.Plugins.TriggerFor(repo), bot: d.botUser(in), quiet: quiet}
	switch {
	case ev.Kind == event.KindComment:
		return g.command()
	case ev.Added(trust.OkToTest):
		return g.okToTestLabel()
	}
	return g.pullRequest()
}

// mayStartJobs reports whether ev is of a kind that can start jobs: a
// push, a pull request event other than closing it or turning it into a
// draft, a new comment with a command, a merge group's request for checks.
func mayStartJobs(cfg *triggers.Config, ev event.Event) bool {
	switch ev.Kind {
	case event.KindPush:
		return true
	case event.KindPullRequest:
		return pullRequestMayStartJobs(ev)
	case event.KindComment:
		return ev.Action == event.ActionCreated && ev.Comment != nil && isCommand(cfg, ev.Repo.FullName, ev.Comment.Body)
	case event.KindMergeGroup:
		return ev.Action == event.ActionChecksRequested
	}
	return false
}

// pullRequestMayStartJobs leaves out, as Prow's trigger does, the pull
// request events that start nothing whoever sent them: closing, turning
// into a draft, an edit that keeps the base branch, and a label other
// than ok-to-test. An untrusted pull request's title edit so gets no
// notice and costs no membership call.
func pullRequestMayStartJobs(ev event.Event) bool {
	switch ev.Action {
	case event.ActionClosed, event.ActionConvertToDraft, event.ActionUnlabeled:
		return false
	case event.ActionEdited:
		return ev.PreviousBaseRef != ""
	case event.ActionLabeled:
		return ev.Added(trust.OkToTest)
	}
	return true
}

// refusal is the outcome of a refused event: every job it concerned is
// skipped, for the one reason.
func (d *Dispatcher) refusal(ev event.Event, adm admission) Outcome {
	metrics.Refusals.WithLabelValues(adm.reason).Inc()
	out := Outcome{Runs: []launch.Run{}, Refused: adm.refused, Actions: adm.actions, Warnings: adm.warnings}
	jobs := d.Config().Presubmits[ev.Repo.FullName]
	if ev.Kind == event.KindPush {
		jobs = d.Config().Postsubmits[ev.Repo.FullName]
	}
	for _, j := range jobs {
		out.Skipped = append(out.Skipped, triggers.Skip{Job: j.Name, Reason: adm.refused})
	}
	return out
}

func (d *Dispatcher) logRefusal(ev event.Event, adm admission) {
	log := d.Log
	if log == nil {
		log = logrus.StandardLogger()
	}
	log.WithFields(logrus.Fields{
		"delivery": ev.Delivery, "provider": ev.Provider, "instance": ev.Instance, "event": ev.String(),
		"author": ev.Author, "sender": ev.Sender, "commenter": commenter(ev), "reason": adm.reason,
	}).Info("refused: " + adm.refused)
}

func (d *Dispatcher) botUser(in providers.Instance) string {
	if d.BotUser == nil {
		return ""
	}
	return d.BotUser(in)
}

// decider returns the Dispatcher's trust decider, made on first use.
func (d *Dispatcher) decider() *trust.Decider {
	d.trustOnce.Do(func() {
		if d.Trust == nil {
			d.Trust = trust.New(trust.Options{})
		}
	})
	return d.Trust
}

func commenter(ev event.Event) string {
	if ev.Comment != nil && ev.Comment.Author != "" {
		return ev.Comment.Author
	}
	return ev.Sender
}

// gate decides one event's admission.
type gate struct {
	d        *Dispatcher
	ctx      context.Context
	in       providers.Instance
	ev       event.Event
	settings triggers.TriggerSettings
	bot      string
	adm      admission
	// quiet holds back comments an earlier copy of the delivery posted.
	quiet bool
}

func (g *gate) query(user string) trust.Query {
	return trust.Query{Instance: g.in.Kind + "/" + g.in.Name, Repo: g.ev.Repo.FullName, User: user, Bot: g.bot}
}

func (g *gate) checker() (providers.TrustChecker, bool) {
	c, ok := g.in.Intake.(providers.TrustChecker)
	return c, ok
}

// noChecker refuses an event from an SCM that cannot say who is trusted:
// fail closed.
func (g *gate) noChecker() admission {
	return admission{refused: fmt.Sprintf("%s cannot check who is trusted, so no one may start jobs", g.in.Kind), reason: "no_trust_checker"}
}

func (g *gate) refuse(reason, format string, args ...any) (admission, error) {
	g.adm.refused, g.adm.reason = fmt.Sprintf(format, args...), reason
	return g.adm, nil
}

// pullRequest admits a pull request event when the pull request is
// trusted. An untrusted one, opened or updated, is labelled
// needs-ok-to-test and its author told, once.
func (g *gate) pullRequest() (admission, error) {
	scm, ok := g.checker()
	if !ok {
		return g.noChecker(), nil
	}
	dec, err := g.d.decider().PullRequest(g.ctx, scm, g.settings, g.query(g.ev.Author), g.currentLabels)
	if err != nil {
		return g.adm, err
	}
	if dec.Trusted {
		if untrustedActions[g.ev.Action] && slices.Contains(g.ev.Labels, trust.NeedsOkToTest) {
			g.removeLabel(trust.NeedsOkToTest)
		}
		return g.adm, nil
	}
	if untrustedActions[g.ev.Action] {
		g.askForOkToTest()
	}
	return g.refuse("untrusted_pull_request", "the pull request is not trusted: %s; %s", dec.Reason, g.howToTrust())
}

// currentLabels reads the pull request's labels from the SCM, as Prow
// does, so that an ok-to-test label added since the payload was made
// counts; without labels on the SCM, the payload's.
func (g *gate) currentLabels() ([]string, bool, error) {
	l, ok := g.in.Intake.(providers.Labeler)
	if !ok {
		return g.ev.Labels, false, nil
	}
	labels, err := l.Labels(g.ctx, g.target())
	if err == nil {
		g.ev.Labels = labels
	}
	return labels, true, err
}

// howToTrust says what makes an untrusted pull request run.
func (g *gate) howToTrust() string {
	if g.settings.IgnoreOkToTest {
		return "ignore_ok_to_test is set, so a trusted user must start its jobs with /test"
	}
	return "a trusted user must comment /ok-to-test"
}

// askForOkToTest labels an untrusted pull request needs-ok-to-test and
// tells its author what happens next, once: where the SCM lets fresnel
// find its earlier comment, by looking for it; elsewhere only when the
// pull request is opened.
func (g *gate) askForOkToTest() {
	if !g.settings.IgnoreOkToTest && !slices.Contains(g.ev.Labels, trust.NeedsOkToTest) {
		g.addLabel(trust.NeedsOkToTest)
	}
	if g.noticed() {
		return
	}
	g.comment(noticeMarker + "\n" + g.notice())
}

// noticed reports whether the pull request has fresnel's notice already.
func (g *gate) noticed() bool {
	editor, ok := g.in.Intake.(providers.CommentEditor)
	if !ok {
		return g.ev.Action != event.ActionOpened
	}
	comments, err := editor.ListComments(g.ctx, g.target())
	if err != nil {
		g.adm.warnings = append(g.adm.warnings, "trust: cannot list comments: "+err.Error())
		return g.ev.Action != event.ActionOpened
	}
	for _, c := range comments {
		if containsMarker(c.Body) && (g.bot == "" || c.Author == g.bot) {
			return true
		}
	}
	return false
}

func (g *gate) target() event.Target {
	return event.Target{Repo: g.ev.Repo.FullName, Number: g.ev.Number}
}

// okToTestLabel admits the ok-to-test label added by a trusted user, as
// /ok-to-test; added by anyone else it is taken off again.
func (g *gate) okToTestLabel() (admission, error) {
	switch {
	case g.settings.IgnoreOkToTest:
		return g.refuse("ok_to_test_ignored", "the %s label does nothing here: ignore_ok_to_test is set", trust.OkToTest)
	case g.bot != "" && g.ev.Sender == g.bot, g.d.addedOkToTest(g.ev):
		return g.refuse("own_label", "fresnel added the %s label for an /ok-to-test comment, which started the jobs", trust.OkToTest)
	}
	scm, ok := g.checker()
	if !ok {
		return g.noChecker(), nil
	}
	dec, err := g.d.decider().User(g.ctx, scm, g.settings, g.query(g.ev.Sender))
	if err != nil {
		return g.adm, err
	}
	if !dec.Trusted {
		g.removeLabel(trust.OkToTest)
		g.comment(fmt.Sprintf("@%s: only trusted users may add the `%s` label (%s), so it was removed.", g.ev.Sender, trust.OkToTest, dec.Reason))
		return g.refuse("untrusted_label", "the %s label was added by an untrusted user: %s", trust.OkToTest, dec.Reason)
	}
	if slices.Contains(g.ev.Labels, trust.NeedsOkToTest) {
		g.removeLabel(trust.NeedsOkToTest)
	}
	return g.adm, nil
}

// command admits a comment command as Prow's trigger does: from a trusted
// commenter, or from anyone on a pull request that is trusted (its author
// is, or it carries ok-to-test), so that a contributor can /retest their
// own tested pull request. A trusted /ok-to-test also marks the pull
// request ok-to-test; /ok-to-test cancel, from a trusted user, takes that
// back.
func (g *gate) command() (admission, error) {
	scm, ok := g.checker()
	if !ok {
		return g.noChecker(), nil
	}
	who := commenter(g.ev)
	dec, err := g.d.decider().User(g.ctx, scm, g.settings, g.query(who))
	if err != nil {
		return g.adm, err
	}
	body := strings.ReplaceAll(g.ev.Comment.Body, "\r\n", "\n")
	if okToTestCancelRe.MatchString(body) && !g.settings.IgnoreOkToTest {
		return g.cancelOkToTest(who, dec)
	}
	okToTest := okToTestRe.MatchString(body)
	if !dec.Trusted {
		return g.untrustedCommand(scm, who, dec, okToTest)
	}
	if okToTest && g.settings.IgnoreOkToTest && !triggers.HasTestCommand(okToTestRe.ReplaceAllString(body, "")) {
		g.comment(fmt.Sprintf("@%s: `/ok-to-test` does nothing in this repository (ignore_ok_to_test is set); start jobs with `/test`.", who))
		return g.refuse("ok_to_test_ignored", "/ok-to-test does nothing here: ignore_ok_to_test is set")
	}
	if okToTest && !g.settings.IgnoreOkToTest {
		g.markOkToTest()
	}
	return g.adm, nil
}

// untrustedCommand admits a command from an untrusted commenter only on a
// trusted pull request, and never an /ok-to-test.
func (g *gate) untrustedCommand(scm providers.TrustChecker, who string, user trust.Decision, okToTest bool) (admission, error) {
	pr, err := g.d.decider().PullRequest(g.ctx, scm, g.settings, g.query(g.ev.Author), g.currentLabels)
	if err != nil {
		return g.adm, err
	}
	if pr.Trusted && !okToTest {
		return g.adm, nil
	}
	g.comment(fmt.Sprintf("@%s: your command starts nothing: %s. %s", who, user.Reason, g.whoMay()))
	return g.refuse("untrusted_commenter", "the commenter is not trusted: %s", user.Reason)
}

// cancelOkToTest handles /ok-to-test cancel: a trusted user takes the
// ok-to-test label off and puts needs-ok-to-test back; it starts nothing.
func (g *gate) cancelOkToTest(who string, dec trust.Decision) (admission, error) {
	if !dec.Trusted {
		g.comment(fmt.Sprintf("@%s: only trusted users can revoke `/ok-to-test`.", who))
		return g.refuse("untrusted_commenter", "the commenter is not trusted: %s", dec.Reason)
	}
	labels, _, err := g.currentLabels()
	if err != nil {
		g.adm.warnings = append(g.adm.warnings, "trust: cannot read labels: "+err.Error())
	}
	if slices.Contains(labels, trust.OkToTest) {
		g.removeLabel(trust.OkToTest)
	}
	if !slices.Contains(labels, trust.NeedsOkToTest) {
		g.addLabel(trust.NeedsOkToTest)
	}
	return g.refuse("ok_to_test_cancelled", "/ok-to-test cancel: the pull request needs /ok-to-test again")
}

// markOkToTest labels the pull request ok-to-test and takes
// needs-ok-to-test off.
func (g *gate) markOkToTest() {
	labels := g.ev.Labels
	if l, ok := g.in.Intake.(providers.Labeler); ok {
		if read, err := l.Labels(g.ctx, g.target()); err == nil {
			labels = read
		} else {
			g.adm.warnings = append(g.adm.warnings, "trust: cannot read labels: "+err.Error())
		}
	}
	if !slices.Contains(labels, trust.OkToTest) && g.addLabel(trust.OkToTest) {
		g.d.rememberOkToTest(g.ev)
	}
	if slices.Contains(labels, trust.NeedsOkToTest) {
		g.removeLabel(trust.NeedsOkToTest)
	}
}

// okToTestMemory remembers, for a while, the pull requests fresnel gave
// the ok-to-test label, so that the labelled event that follows does not
// start their jobs a second time when the bot's login is not configured.
type okToTestMemory struct {
	mu   sync.Mutex
	seen map[string]bool
}

const maxOkToTestMemory = 1000

func okToTestKey(ev event.Event) string {
	return fmt.Sprintf("%s/%s\x00%s#%d\x00%s", ev.Provider, ev.Instance, ev.Repo.FullName, ev.Number, ev.HeadSHA)
}

func (d *Dispatcher) rememberOkToTest(ev event.Event) {
	d.okToTest.mu.Lock()
	defer d.okToTest.mu.Unlock()
	if d.okToTest.seen == nil || len(d.okToTest.seen) >= maxOkToTestMemory {
		d.okToTest.seen = map[string]bool{}
	}
	d.okToTest.seen[okToTestKey(ev)] = true
}

// addedOkToTest reports, once, whether fresnel itself labelled ev's pull
// request ok-to-test.
func (d *Dispatcher) addedOkToTest(ev event.Event) bool {
	d.okToTest.mu.Lock()
	defer d.okToTest.mu.Unlock()
	key := okToTestKey(ev)
	if !d.okToTest.seen[key] {
		return false
	}
	delete(d.okToTest.seen, key)
	return true
}
