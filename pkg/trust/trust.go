// Package trust decides, as Prow's trigger plugin does, whether a user may
// start jobs and whether a pull request's code may be tested: a user is
// trusted when fresnel itself, a trusted app, a member of the repo's org
// (or group), a collaborator on the repo (unless only_org_members), or a
// member of the trigger's trusted_org; a pull request is trusted when its
// author is, or it carries the ok-to-test label. Membership answers are
// kept briefly per provider instance, so a burst of events asks once.
package trust

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/expiring"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// The labels Prow's trigger reads and sets.
const (
	// OkToTest marks a pull request a trusted user vouched for.
	OkToTest = "ok-to-test"
	// NeedsOkToTest marks a pull request waiting for someone to vouch.
	NeedsOkToTest = "needs-ok-to-test"
)

// Query names whose trust is decided, and where.
type Query struct {
	// Instance is the provider instance (kind/name); answers are kept
	// per instance.
	Instance string
	// Repo is the repository's full name. Its org is everything before
	// the last "/": a GitHub org, a GitLab group path, a Bitbucket
	// workspace or project.
	Repo string
	User string
	// Bot is fresnel's own login on the instance, when known: it trusts
	// itself, as Prow does.
	Bot string
}

// Decision is whether a user or pull request is trusted, and why.
type Decision struct {
	Trusted bool
	// Reason says why, for logs and webhook answers.
	Reason string
	// Calls counts the SCM API calls made to decide; answers from the
	// cache make none.
	Calls int
}

// Options size the cache; zero values take the defaults. Now is for
// tests.
type Options struct {
	CacheSize int
	TTL       time.Duration
	Now       func() time.Time
}

// Decider decides trust and keeps membership answers.
type Decider struct {
	// cache keeps membership answers, never errors.
	cache *expiring.Map[bool]
}

// New returns a Decider.
func New(opts Options) *Decider {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Decider{cache: expiring.New[bool](cmp.Or(opts.CacheSize, DefaultCacheSize), cmp.Or(opts.TTL, DefaultTTL), now)}
}

// Cached is how many answers the Decider keeps now.
func (d *Decider) Cached() int { return d.cache.Len() }

// Org returns the org or group of a repository's full name.
func Org(repo string) string {
	if i := strings.LastIndex(repo, "/"); i > 0 {
		return repo[:i]
	}
	return repo
}

// User decides whether q.User is trusted on q.Repo under the trigger
// settings s. An SCM error is returned as an error, never as a decision.
func (d *Decider) User(ctx context.Context, scm providers.TrustChecker, s triggers.TriggerSettings, q Query) (Decision, error) {
	dec, err := d.user(ctx, scm, s, q)
	record(dec, err)
	return dec, err
}

// PullRequest decides whether a pull request by q.User may be tested: its
// author is trusted, or it carries the ok-to-test label (unless the
// trigger ignores it). labels is called only when the author is not
// trusted; it counts as one call when it reads from the SCM.
func (d *Decider) PullRequest(ctx context.Context, scm providers.TrustChecker, s triggers.TriggerSettings, q Query, labels Labels) (Decision, error) {
	dec, err := d.pullRequest(ctx, scm, s, q, labels)
	record(dec, err)
	return dec, err
}

// Labels returns a pull request's labels and whether it asked the SCM.
type Labels func() (labels []string, fromSCM bool, err error)

func (d *Decider) pullRequest(ctx context.Context, scm providers.TrustChecker, s triggers.TriggerSettings, q Query, labels Labels) (Decision, error) {
	dec, err := d.user(ctx, scm, s, q)
	if err != nil || dec.Trusted || s.IgnoreOkToTest || labels == nil {
		return dec, err
	}
	have, fromSCM, err := labels()
	if fromSCM {
		dec.Calls++
	}
	if err != nil {
		return Decision{Calls: dec.Calls}, fmt.Errorf("trust: labels of a pull request in %s: %w", q.Repo, err)
	}
	if slices.Contains(have, OkToTest) {
		return Decision{Trusted: true, Reason: "the pull request has the " + OkToTest + " label", Calls: dec.Calls}, nil
	}
	dec.Reason += "; the pull request has no " + OkToTest + " label"
	return dec, nil
}

func (d *Decider) user(ctx context.Context, scm providers.TrustChecker, s triggers.TriggerSettings, q Query) (Decision, error) {
	if q.User == "" {
		return Decision{Reason: "the event names no user"}, nil
	}
	if q.Bot != "" && strings.EqualFold(q.User, q.Bot) {
		return Decision{Trusted: true, Reason: q.User + " is fresnel itself"}, nil
	}
	if isTrustedApp(s.TrustedApps, q.User) {
		return Decision{Trusted: true, Reason: q.User + " is in trusted_apps"}, nil
	}
	a := asker{d: d, ctx: ctx, scm: scm, q: q}
	return a.decide(s)
}

// isTrustedApp matches a bot's login with or without the "[bot]" suffix
// GitHub gives app accounts, either side.
func isTrustedApp(apps []string, user string) bool {
	bare := strings.TrimSuffix(user, "[bot]")
	for _, app := range apps {
		if strings.EqualFold(strings.TrimSuffix(app, "[bot]"), bare) {
			return true
		}
	}
	return false
}

// asker asks the SCM the questions of one decision, through the cache.
type asker struct {
	d     *Decider
	ctx   context.Context
	scm   providers.TrustChecker
	q     Query
	calls int
}

// decide asks, in Prow's order: member of the repo's org, collaborator on
// the repo (unless only_org_members), member of trusted_org.
func (a *asker) decide(s triggers.TriggerSettings) (Decision, error) {
	org := Org(a.q.Repo)
	if yes, err := a.ask("member", org, a.scm.IsOrgMember); err != nil || yes {
		return a.decision(yes, a.q.User+" is a member of "+org), err
	}
	if !s.OnlyOrgMembers {
		if yes, err := a.ask("collaborator", a.q.Repo, a.scm.IsCollaborator); err != nil || yes {
			return a.decision(yes, a.q.User+" is a collaborator on "+a.q.Repo), err
		}
	}
	orgs := []string{org}
	if s.TrustedOrg != "" && s.TrustedOrg != org {
		orgs = append(orgs, s.TrustedOrg)
		if yes, err := a.ask("member", s.TrustedOrg, a.scm.IsOrgMember); err != nil || yes {
			return a.decision(yes, a.q.User+" is a member of "+s.TrustedOrg), err
		}
	}
	return a.decision(false, a.refusal(orgs, s.OnlyOrgMembers)), nil
}

func (a *asker) refusal(orgs []string, onlyMembers bool) string {
	why := a.q.User + " is not a member of " + strings.Join(orgs, " nor of ")
	if !onlyMembers {
		why += " nor a collaborator on " + a.q.Repo
	}
	return why
}

func (a *asker) decision(trusted bool, reason string) Decision {
	return Decision{Trusted: trusted, Reason: reason, Calls: a.calls}
}

// ask answers one question from the cache or the SCM.
func (a *asker) ask(what, scope string, call func(ctx context.Context, scope, user string) (bool, error)) (bool, error) {
	key := a.q.Instance + "\x00" + what + "\x00" + scope + "\x00" + strings.ToLower(a.q.User)
	if yes, ok := a.d.cache.Get(key); ok {
		return yes, nil
	}
	a.calls++
	yes, err := call(a.ctx, scope, a.q.User)
	if err != nil {
		return false, fmt.Errorf("trust: is %s a %s of %s: %w", a.q.User, what, scope, err)
	}
	a.d.cache.Put(key, yes)
	return yes, nil
}

// record counts a decision and the SCM calls it made.
func record(dec Decision, err error) {
	result := "untrusted"
	switch {
	case err != nil:
		result = "error"
	case dec.Trusted:
		result = "trusted"
	}
	metrics.TrustDecisions.WithLabelValues(result).Inc()
	metrics.TrustAPICalls.Observe(float64(dec.Calls))
}
