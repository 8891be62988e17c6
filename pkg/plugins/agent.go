package plugins

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// RunCanceller stops a pull request's unfinished runs; pkg/launch
// implements it.
type RunCanceller interface {
	// CancelPullRequestRuns cancels the unfinished presubmit runs of ev's
	// pull request, only job's when job is not empty, and names them.
	CancelPullRequestRuns(ctx context.Context, ev event.Event, job, reason string) ([]string, error)
}

// TrustFunc decides whether user may use commands reserved for trusted
// people (collaborators and org members) on ev's repository.
type TrustFunc func(ctx context.Context, scm any, ev event.Event, user string) (bool, error)

// Agent is what a plugin gets for one event: the event, the SCM (asserted
// to the role interfaces the plugin needs), its configuration and the
// helpers every plugin shares.
type Agent struct {
	Event event.Event
	// SCM is the provider instance the event came from. Plugins assert the
	// small role interfaces they call (providers.Labeler, ...).
	SCM any
	// Config is plugins.yaml in force; never nil.
	Config *triggers.PluginsFile
	// Enabled lists the plugins enabled for the event's repository.
	Enabled []string
	// Runs cancels runs; nil where the caller cannot.
	Runs RunCanceller
	Log  logrus.FieldLogger

	trusted TrustFunc
}

// Target is the pull request the event is about.
func (a *Agent) Target() event.Target {
	return event.Target{Repo: a.Event.Repo.FullName, Number: a.Event.Number}
}

// Commenter returns the SCM's Commenter, or an error saying it has none.
func (a *Agent) Commenter() (providers.Commenter, error) {
	c, ok := a.SCM.(providers.Commenter)
	if !ok {
		return nil, fmt.Errorf("plugins: %s cannot comment", a.Event.Provider)
	}
	return c, nil
}

// Comment posts body on the event's pull request.
func (a *Agent) Comment(ctx context.Context, body string) error {
	c, err := a.Commenter()
	if err != nil {
		return err
	}
	if _, err := c.Comment(ctx, a.Target(), body); err != nil {
		return fmt.Errorf("plugins: comment on %s#%d: %w", a.Event.Repo.FullName, a.Event.Number, err)
	}
	return nil
}

// Labeler returns what keeps the pull request's labels: the SCM's
// Labeler, or on SCMs without labels (Bitbucket) commit statuses named
// after them (see StatusLabeler).
func (a *Agent) Labeler(ctx context.Context) (providers.Labeler, error) {
	if l, ok := a.SCM.(providers.Labeler); ok {
		return l, nil
	}
	reporter, ok := a.SCM.(providers.StatusReporter)
	if !ok {
		return nil, fmt.Errorf("plugins: %s has neither labels nor commit statuses", a.Event.Provider)
	}
	ev, err := a.Complete(ctx)
	if err != nil {
		return nil, err
	}
	return &StatusLabeler{Reporter: reporter, Ref: ev.CommitRef()}, nil
}

// Complete returns the event with its pull request's head commit, base
// and author read from the SCM when a comment event lacks them.
func (a *Agent) Complete(ctx context.Context) (event.Event, error) {
	if a.Event.HeadSHA != "" && a.Event.Author != "" || !a.Event.IsPullRequest() {
		return a.Event, nil
	}
	reader, ok := a.SCM.(providers.PullRequestReader)
	if !ok {
		return a.Event, fmt.Errorf("plugins: %s cannot read pull requests", a.Event.Provider)
	}
	ev, err := reader.CompletePullRequest(ctx, a.Event)
	if err != nil {
		return a.Event, fmt.Errorf("plugins: read %s#%d: %w", a.Event.Repo.FullName, a.Event.Number, err)
	}
	a.Event = ev
	return ev, nil
}

// Author is the pull request's author, read from the SCM when the event
// does not say (GitLab notes do not).
func (a *Agent) Author(ctx context.Context) (string, error) {
	if a.Event.Author != "" {
		return a.Event.Author, nil
	}
	ev, err := a.Complete(ctx)
	return ev.Author, err
}

// IsAuthor reports whether user opened the pull request.
func (a *Agent) IsAuthor(ctx context.Context, user string) (bool, error) {
	author, err := a.Author(ctx)
	return err == nil && strings.EqualFold(author, user), err
}

// IsTrusted reports whether user is a collaborator of the repository or a
// member of its org, as the SCM answers.
func (a *Agent) IsTrusted(ctx context.Context, user string) (bool, error) {
	return a.trusted(ctx, a.SCM, a.Event, user)
}

// RequireTrusted refuses a user who is neither collaborator nor org member.
func (a *Agent) RequireTrusted(ctx context.Context, user, what string) error {
	ok, err := a.IsTrusted(ctx, user)
	if err != nil {
		return err
	}
	if !ok {
		return Refuse("only collaborators and members of %s may %s.", a.Event.Repo.Owner, what)
	}
	return nil
}

// RequireAuthorOrTrusted refuses a user who neither opened the pull
// request nor is trusted.
func (a *Agent) RequireAuthorOrTrusted(ctx context.Context, user, what string) error {
	if own, err := a.IsAuthor(ctx, user); err != nil || own {
		return err
	}
	return a.RequireTrusted(ctx, user, what)
}

// Mention is how a comment mentions user on this SCM: "@login", or the
// SCM's own syntax (providers.Mentioner); "" for no user.
func (a *Agent) Mention(user string) string {
	if user == "" {
		return ""
	}
	if m, ok := a.SCM.(providers.Mentioner); ok {
		return m.Mention(user)
	}
	return "@" + user
}

// User is the author of the comment being handled, else the sender.
func (a *Agent) User() string {
	if a.Event.Comment != nil && a.Event.Comment.Author != "" {
		return a.Event.Comment.Author
	}
	return a.Event.Sender
}

// DefaultTrust trusts collaborators of the repository and members of its
// owner, through the SCM's TrustChecker.
func DefaultTrust(ctx context.Context, scm any, ev event.Event, user string) (bool, error) {
	checker, ok := scm.(providers.TrustChecker)
	if !ok {
		return false, fmt.Errorf("plugins: %s cannot check who may use commands", ev.Provider)
	}
	collaborator, err := checker.IsCollaborator(ctx, ev.Repo.FullName, user)
	if err != nil || collaborator {
		return collaborator, wrap("check collaborator "+user, err)
	}
	member, err := checker.IsOrgMember(ctx, ev.Repo.Owner, user)
	return member, wrap("check membership of "+user, err)
}

func wrap(what string, err error) error { return Wrap("plugins: "+what, err) }

// Wrap prefixes err with what failed; a Refusal passes unchanged, nil
// stays nil.
func Wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var refusal Refusal
	if errors.As(err, &refusal) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
