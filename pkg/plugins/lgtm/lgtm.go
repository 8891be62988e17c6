// Package lgtm is the lgtm plugin: /lgtm and /lgtm cancel add and remove
// the lgtm label (a Code-Review vote on SCMs that vote), a new push
// removes it, and a label added by hand by someone without the right is
// taken off again.
package lgtm

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Label is the label /lgtm sets.
const Label = "lgtm"

// DefaultVoteLabel is the review label voted on SCMs that vote (Gerrit).
const DefaultVoteLabel = "Code-Review"

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "lgtm",
		Description: "Marks a pull request as looked good to me by a reviewer.",
		Config:      "lgtm",
		Commands: []plugins.Command{
			{Name: "lgtm", Args: `(no-issue)?|(cancel)`, Who: "collaborators and org members, not the author (the author may cancel)",
				Help: "Adds the lgtm label; /lgtm cancel removes it.", Examples: []string{"/lgtm", "/lgtm cancel"}, Run: run, ChangesState: true},
			{Name: "remove-lgtm", Who: "collaborators and org members, and the author",
				Help: "Removes the lgtm label.", Examples: []string{"/remove-lgtm"}, Run: cancel, ChangesState: true},
		},
		OnEvent: onEvent,
	})
}

func run(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	if inv.Match[2] != "" {
		return cancel(ctx, a, inv)
	}
	user := a.User()
	if own, err := a.IsAuthor(ctx, user); err != nil || own {
		return "", cmp.Or(err, plugins.Refuse("you cannot LGTM your own pull request."))
	}
	if err := a.RequireTrusted(ctx, user, "LGTM a pull request"); err != nil {
		return "", err
	}
	return set(ctx, a, true, "LGTM by @"+user)
}

func cancel(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
	user := a.User()
	if err := a.RequireAuthorOrTrusted(ctx, user, "remove an LGTM"); err != nil {
		return "", err
	}
	return set(ctx, a, false, "LGTM cancelled by @"+user)
}

// set adds or removes the lgtm: a vote where the SCM votes, else the label.
func set(ctx context.Context, a *plugins.Agent, on bool, message string) (string, error) {
	if voter, ok := a.SCM.(providers.Voter); ok {
		return vote(ctx, a, voter, on, message)
	}
	changed, err := a.SetLabel(ctx, Label, on)
	switch {
	case err != nil:
		return "", err
	case !changed && on:
		return "lgtm already set", nil
	case !changed:
		return "no lgtm to remove", nil
	case on:
		return "added lgtm", nil
	}
	return "removed lgtm", nil
}

func vote(ctx context.Context, a *plugins.Agent, voter providers.Voter, on bool, message string) (string, error) {
	ev, err := a.Complete(ctx)
	if err != nil {
		return "", err
	}
	label, value := voteLabel(a), 0
	if on {
		value = 1
	}
	if err := voter.Vote(ctx, ev.CommitRef(), label, value, message); err != nil {
		return "", fmt.Errorf("lgtm: vote %s%+d: %w", label, value, err)
	}
	return fmt.Sprintf("voted %s %+d", label, value), nil
}

func voteLabel(a *plugins.Agent) string {
	s, _ := settings(a)
	return cmp.Or(s.VoteLabel, DefaultVoteLabel)
}

func settings(a *plugins.Agent) (triggers.LgtmSettings, bool) {
	return plugins.ForRepo(a.Config.Lgtm, func(s triggers.LgtmSettings) []string { return s.Repos }, a.Event.Repo.FullName)
}

// onEvent removes the lgtm when new commits arrive, and a lgtm label added
// by someone who may not add it.
func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev := a.Event
	if ev.Kind == event.KindReview && ev.Action == event.ActionSubmitted {
		return onReview(ctx, a)
	}
	if ev.Kind != event.KindPullRequest {
		return nil, nil
	}
	switch {
	case ev.Action == event.ActionSynchronize:
		return removeOnPush(ctx, a)
	case ev.Added(Label):
		return checkHandAdded(ctx, a)
	}
	return nil, nil
}

// onReview makes an approving review an /lgtm and a review requesting
// changes an /lgtm cancel, where review_acts_as_lgtm says so.
func onReview(ctx context.Context, a *plugins.Agent) ([]string, error) {
	if s, _ := settings(a); !s.ReviewActsAsLgtm {
		return nil, nil
	}
	var did string
	var err error
	switch a.Event.Review {
	case event.ReviewApproved:
		did, err = run(ctx, a, plugins.Invocation{Match: []string{"", "", ""}})
	case event.ReviewChangesRequested:
		did, err = cancel(ctx, a, plugins.Invocation{})
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []string{did + " (review)"}, nil
}

func removeOnPush(ctx context.Context, a *plugins.Agent) ([]string, error) {
	if _, votes := a.SCM.(providers.Voter); votes {
		return nil, nil // a vote belongs to its patch set; a new one starts without
	}
	if !slices.Contains(a.Event.Labels, Label) {
		return nil, nil
	}
	if _, err := a.SetLabel(ctx, Label, false); err != nil {
		return nil, err
	}
	if err := a.Comment(ctx, "New changes are detected. The lgtm label has been removed."); err != nil {
		return []string{"removed lgtm: new commits"}, err
	}
	return []string{"removed lgtm: new commits"}, nil
}

func checkHandAdded(ctx context.Context, a *plugins.Agent) ([]string, error) {
	user := a.Event.Sender
	trusted, err := a.IsTrusted(ctx, user)
	if err != nil {
		return nil, err
	}
	if own, err := a.IsAuthor(ctx, user); err != nil || trusted && !own {
		return nil, err
	}
	if _, err := a.SetLabel(ctx, Label, false); err != nil {
		return nil, err
	}
	did := []string{"removed lgtm label added by @" + user}
	msg := a.Mention(user) + ": the lgtm label can only be set with /lgtm by a collaborator who is not the author; it has been removed."
	return did, a.Comment(ctx, msg)
}
