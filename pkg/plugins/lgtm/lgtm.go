// Package lgtm is the lgtm plugin: /lgtm and /lgtm cancel add and remove
// the lgtm label (a Code-Review vote on SCMs that vote), a new push
// removes it unless store_tree_hash finds its tree unchanged, and a label
// added by hand by someone without the right is taken off again.
package lgtm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
	return add(ctx, a, "LGTM by @"+user)
}

// add adds the lgtm: a vote where the SCM votes, else the label. Adding a
// label that is there already changes nothing, so the labels are not read
// first. With store_tree_hash the head commit's tree is recorded.
func add(ctx context.Context, a *plugins.Agent, message string) (string, error) {
	if voter, ok := a.SCM.(providers.Voter); ok {
		return vote(ctx, a, voter, true, message)
	}
	l, err := a.Labeler(ctx)
	if err != nil {
		return "", err
	}
	if err := l.AddLabel(ctx, a.Target(), Label); err != nil {
		return "", fmt.Errorf("lgtm: add label %s on %s#%d: %w", Label, a.Event.Repo.FullName, a.Event.Number, err)
	}
	if r, ok := treeStore(a); ok {
		return "added lgtm", recordTree(ctx, a, r)
	}
	return "added lgtm", nil
}

func cancel(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
	user := a.User()
	if err := a.RequireAuthorOrTrusted(ctx, user, "remove an LGTM"); err != nil {
		return "", err
	}
	return remove(ctx, a, "LGTM cancelled by @"+user)
}

// remove removes the lgtm: a vote of 0 where the SCM votes, else the
// label.
func remove(ctx context.Context, a *plugins.Agent, message string) (string, error) {
	if voter, ok := a.SCM.(providers.Voter); ok {
		return vote(ctx, a, voter, false, message)
	}
	changed, err := a.SetLabel(ctx, Label, false)
	switch {
	case err != nil:
		return "", err
	case !changed:
		return "no lgtm to remove", nil
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
	return triggers.ForRepo(a.Config.Lgtm, func(s triggers.LgtmSettings) []string { return s.Repos }, a.Event.Repo.FullName)
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
		return onPush(ctx, a)
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

// onPush removes the lgtm when new commits arrive, unless store_tree_hash
// is set and the new head's tree is the one the lgtm was given on.
func onPush(ctx context.Context, a *plugins.Agent) ([]string, error) {
	if _, votes := a.SCM.(providers.Voter); votes {
		return nil, nil // a vote belongs to its patch set; a new one starts without
	}
	if !slices.Contains(a.Event.Labels, Label) {
		return nil, nil
	}
	sticky, teamErr := authorInStickyTeam(ctx, a) // the label goes when membership cannot be read
	if sticky {
		return []string{"kept lgtm: the author is in sticky_lgtm_team"}, nil
	}
	var treeErr error // the label goes when the trees cannot be compared
	if r, ok := treeStore(a); ok {
		same, err := treeUnchanged(ctx, a, r)
		if same {
			return []string{"kept lgtm: tree unchanged"}, nil
		}
		treeErr = err
	}
	did, err := removeOnPush(ctx, a)
	return did, errors.Join(teamErr, treeErr, err)
}

// authorInStickyTeam reports whether lgtm's sticky_lgtm_team names a team
// ("team" of the repository's org, or "org/team") the pull request's
// author is in: their pushes keep the lgtm, as in Prow. SCMs without
// teams never keep it.
func authorInStickyTeam(ctx context.Context, a *plugins.Agent) (bool, error) {
	s, _ := settings(a)
	teams, ok := a.SCM.(providers.TeamChecker)
	if s.StickyLgtmTeam == "" || !ok || a.Event.Author == "" {
		return false, nil
	}
	org, team, found := strings.Cut(s.StickyLgtmTeam, "/")
	if !found {
		org, team = a.Event.Repo.Owner, s.StickyLgtmTeam
	}
	in, err := teams.IsTeamMember(ctx, org, team, a.Event.Author)
	if err != nil {
		return false, fmt.Errorf("lgtm: sticky_lgtm_team: %w", err)
	}
	return in, nil
}

// removeOnPush removes the lgtm label after a push and says why.
func removeOnPush(ctx context.Context, a *plugins.Agent) ([]string, error) {
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
