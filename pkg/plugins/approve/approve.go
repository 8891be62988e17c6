// Package approve is the approve plugin: approvers named in OWNERS files
// approve a pull request with /approve, and once every changed file has an
// approval the approved label is set. The decision is made again from the
// pull request's comments and its base commit's OWNERS files on every
// push and every approval, and one notification comment, edited in place,
// says what is still missing and whom to ask.
package approve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/owners"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/repoowners"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Label is the label set while the pull request is approved.
const Label = "approved"

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "approve",
		Description: "Approves a pull request once an approver from the OWNERS files of every changed file has approved it.",
		Config:      "approve",
		Commands: []plugins.Command{
			{Name: "approve", Args: `|no-issue|cancel`, Who: "approvers in the OWNERS files of the changed files",
				Help:     "Approves the files you own; /approve cancel withdraws your approval.",
				Examples: []string{"/approve", "/approve no-issue", "/approve cancel"}},
			{Name: "remove-approve", Who: "anyone who approved", Help: "Withdraws your approval.", Examples: []string{"/remove-approve"}},
		},
		OnEvent: onEvent,
	})
}

// onEvent decides again on the events that can change the decision: a
// comment that approves or withdraws, a push, a new or reopened pull
// request, a changed base, and the approved label added by hand.
func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev, cfg := a.Event, settings(a)
	if !relevant(ev, cfg) && !voteArrived(a) {
		return nil, nil
	}
	if _, err := roles(a); err != nil && ev.Kind != event.KindComment {
		// Said in the webhook's answer, not in a comment on every push;
		// an /approve on such an SCM gets the error as a reply.
		return []string{"skipped: " + err.Error()}, nil
	}
	if ev.Kind == event.KindPullRequest && ev.Action == event.ActionLabeled {
		return handAdded(ctx, a, cfg)
	}
	_, did, err := evaluate(ctx, a, cfg)
	return did, err
}

// voteArrived says whether ev is a new comment on an SCM whose approvals
// are votes and whose comments cannot be listed (Gerrit): votes arrive as
// comments, whatever their text.
func voteArrived(a *plugins.Agent) bool {
	_, votes := a.SCM.(providers.VoteReader)
	_, lists := a.SCM.(providers.CommentEditor)
	ev := a.Event
	return votes && !lists && ev.Kind == event.KindComment && ev.Action == event.ActionCreated && ev.IsPullRequest() && !ev.Closed
}

// relevant says whether ev can change the decision.
func relevant(ev event.Event, cfg triggers.ApproveSettings) bool {
	switch {
	case !ev.IsPullRequest() || ev.Closed:
		return false
	case ev.Kind == event.KindComment:
		return ev.Action == event.ActionCreated && ev.Comment != nil && mentionsApproval(ev.Comment.Body, cfg.LgtmActsAsApprove)
	case ev.Kind != event.KindPullRequest:
		return false
	case ev.Action == event.ActionLabeled:
		return ev.Added(Label)
	}
	return reevaluates(ev)
}

// reevaluates says whether a pull request event can change the decision.
func reevaluates(ev event.Event) bool {
	switch ev.Action {
	case event.ActionOpened, event.ActionReopened, event.ActionSynchronize, event.ActionReadyForReview:
		return true
	case event.ActionEdited:
		return ev.PreviousBaseRef != ""
	}
	return false
}

// handAdded checks an approved label someone added: when the pull request
// is not approved, the label comes off again with a comment saying why.
func handAdded(ctx context.Context, a *plugins.Agent, cfg triggers.ApproveSettings) ([]string, error) {
	st, did, err := evaluate(ctx, a, cfg)
	if err != nil || st.approved() {
		return did, err
	}
	msg := fmt.Sprintf("%s: the `%s` label is set by the approve plugin once an approver of every changed file has approved; it has been removed. Approvers approve with `/approve`.", a.Mention(a.Event.Sender), Label)
	did = append(did, "removed approved label added by @"+a.Event.Sender)
	return did, a.Comment(ctx, msg)
}

func settings(a *plugins.Agent) triggers.ApproveSettings {
	s, _ := triggers.ForRepo(a.Config.Approve, func(s triggers.ApproveSettings) []string { return s.Repos }, a.Event.Repo.FullName)
	return s
}

// scm is what the plugin needs of the SCM. comments is nil where the SCM
// cannot list and edit comments (Gerrit): approvals are then its votes,
// and the notification is posted only when the decision changes.
type scm struct {
	files     providers.ChangeLister
	commenter providers.Commenter
	content   repoowners.FileReader
	comments  providers.CommentEditor
	votes     providers.VoteReader
}

func roles(a *plugins.Agent) (scm, error) {
	var s scm
	var ok [3]bool
	s.files, ok[0] = a.SCM.(providers.ChangeLister)
	s.commenter, ok[1] = a.SCM.(providers.Commenter)
	s.content, ok[2] = a.SCM.(repoowners.FileReader)
	s.comments, _ = a.SCM.(providers.CommentEditor)
	s.votes, _ = a.SCM.(providers.VoteReader)
	for i, what := range []string{"list changed files", "comment", "read OWNERS files"} {
		if !ok[i] {
			return s, fmt.Errorf("approve: %s cannot %s", a.Event.Provider, what)
		}
	}
	if s.comments == nil && s.votes == nil {
		return s, fmt.Errorf("approve: %s can neither list comments nor read votes", a.Event.Provider)
	}
	return s, nil
}

// evaluate decides whether the pull request is approved, sets or removes
// the approved label to match and keeps the notification up to date. It
// returns the decision and what it changed.
func evaluate(ctx context.Context, a *plugins.Agent, cfg triggers.ApproveSettings) (state, []string, error) {
	s, err := roles(a)
	if err != nil {
		return state{}, nil, err
	}
	ev, err := a.Complete(ctx)
	if err != nil {
		return state{}, nil, err
	}
	st, comments, err := decide(ctx, s, ev, cfg)
	if err != nil {
		return state{}, nil, err
	}
	var did []string
	changed, err := a.SetLabel(ctx, Label, st.approved())
	if err != nil {
		return st, nil, err
	}
	if changed {
		did = append(did, labelChange(st.approved()))
	}
	if s.comments == nil {
		// Messages cannot be edited: one is posted when the decision changes.
		if !changed {
			return st, did, nil
		}
		if _, err := s.commenter.Comment(ctx, a.Target(), notification(st, a.Mention)); err != nil {
			return st, did, fmt.Errorf("approve: post notification: %w", err)
		}
		return st, append(did, "posted approval notification"), nil
	}
	noted, err := notify(ctx, s.comments, s.commenter, a.Target(), comments, notification(st, a.Mention))
	return st, append(did, noted...), err
}

func labelChange(approved bool) string {
	if approved {
		return "added " + Label
	}
	return "removed " + Label
}

// decide reads the changed files, the comments and the OWNERS files of the
// base commit and makes the decision.
func decide(ctx context.Context, s scm, ev event.Event, cfg triggers.ApproveSettings) (state, []event.Comment, error) {
	files, err := s.files.ChangedFiles(ctx, ev)
	if err != nil {
		return state{}, nil, fmt.Errorf("approve: changed files: %w", err)
	}
	target := event.Target{Repo: ev.Repo.FullName, Number: ev.Number}
	var comments []event.Comment
	if s.comments != nil {
		if comments, err = s.comments.ListComments(ctx, target); err != nil {
			return state{}, nil, fmt.Errorf("approve: comments: %w", err)
		}
		comments = withComment(comments, ev.Comment)
	}
	tree, err := repoowners.Load(ctx, s.content, ev, files)
	if err != nil {
		return state{}, nil, err
	}
	approvals := ReadApprovals(comments, cfg.LgtmActsAsApprove)
	if s.votes != nil {
		if approvals, err = withVotes(ctx, s.votes, target, cfg, approvals); err != nil {
			return state{}, nil, err
		}
	}
	d, err := owners.Decide(tree, owners.Request{
		Files: files, Author: ev.Author, ApprovedBy: approvals.By,
		RequireSelfApproval: cfg.RequireSelfApproval != nil && *cfg.RequireSelfApproval, Seed: int64(ev.Number),
	})
	if err != nil {
		return state{}, nil, fmt.Errorf("approve: %w", err)
	}
	missing := cfg.IssueRequired && !approvals.NoIssue && !namesIssue(comments)
	st := state{decision: d, by: approvals.By, issueMissing: missing}
	if s.comments == nil {
		label, least := voteRule(cfg)
		st.vote = fmt.Sprintf("%s %+d", label, least)
	}
	return st, comments, nil
}

// withComment adds the comment being handled when the SCM's list does
// not have it yet (lists can lag behind the webhook).
func withComment(comments []event.Comment, c *event.Comment) []event.Comment {
	if c == nil {
		return comments
	}
	for _, have := range comments {
		if have.ID != "" && have.ID == c.ID {
			return comments
		}
	}
	return append(comments, *c)
}

// issueRef is a reference that links an issue: "Fixes #12", "closes
// acme/widgets#3".
var issueRef = regexp.MustCompile(`(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+[\w./-]*#\d+`)

func namesIssue(comments []event.Comment) bool {
	for _, c := range comments {
		if !strings.Contains(c.Body, Marker) && issueRef.MatchString(c.Body) {
			return true
		}
	}
	return false
}

// Defaults of the vote that counts as an approval on SCMs that vote.
const (
	DefaultVoteLabel = "Code-Review"
	DefaultVoteValue = 2
)

// voteRule is the label and the least value of the vote that counts as
// its voter's approval.
func voteRule(cfg triggers.ApproveSettings) (string, int) {
	return cmp.Or(cfg.VoteLabel, DefaultVoteLabel), cmp.Or(cfg.VoteValue, DefaultVoteValue)
}

// withVotes adds to approvals everyone whose vote on the configured label
// reaches the configured value (Code-Review +2 unless plugins.yaml says
// otherwise), in name order.
func withVotes(ctx context.Context, r providers.VoteReader, target event.Target, cfg triggers.ApproveSettings, approvals Approvals) (Approvals, error) {
	label, least := voteRule(cfg)
	votes, err := r.Votes(ctx, target, label)
	if err != nil {
		return approvals, fmt.Errorf("approve: votes: %w", err)
	}
	for _, login := range slices.Sorted(maps.Keys(votes)) {
		if votes[login] >= least {
			approvals.By = withLogin(approvals.By, login)
		}
	}
	return approvals, nil
}
