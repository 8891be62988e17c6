package bitbucketserver

import (
	"cmp"
	"fmt"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// convert maps a go-scm hook onto an event and puts back what go-scm
// drops. go-scm returns a tag hook for every tag push and a branch hook
// for a deleted branch; both become push events.
func convert(hook scm.Webhook, fields payload) (event.Event, error) {
	ev, ok := scmhook.FromRefHook(hook)
	if !ok {
		var err error
		if ev, err = scmhook.Convert(hook); err != nil {
			return ev, err
		}
	}
	// Payloads carry no default branch; go-scm says "master".
	ev.Repo.DefaultBranch = ""
	switch {
	case ev.IsPullRequest():
		ev.PullRef = fmt.Sprintf("refs/pull-requests/%d/from", ev.Number)
		ev = withPullRequestFields(ev, fields)
	case ev.Kind == event.KindPush && len(fields.Changes) > 0:
		ev.BaseSHA = cmp.Or(ev.BaseSHA, fields.Changes[0].FromHash)
	}
	ev.FilesUnlisted = ev.Kind == event.KindPush && !ev.Deleted
	if fields.EventKey == "pr:deleted" {
		ev = deletedPullRequest(ev)
	}
	if fields.Actor != nil {
		ev.Sender = fields.Actor.Slug
	}
	return ev, scmhook.Validate(ev)
}

// withPullRequestFields adds what go-scm drops of a pull request: draft,
// description, whether it is still open, and the target branch an edit
// replaced. Payloads say nothing of conflicts: Unmergeable stays unset.
func withPullRequestFields(ev event.Event, fields payload) event.Event {
	if pr := fields.PullRequest; pr != nil {
		ev.Draft, ev.Body = pr.Draft, pr.Description
		ev.Closed = pr.State == "MERGED" || pr.State == "DECLINED"
	}
	if prev := fields.PreviousTarget; prev != nil && ev.Action == event.ActionEdited && prev.DisplayID != ev.BaseRef {
		ev.PreviousBaseRef = prev.DisplayID
	}
	return ev
}

// deletedPullRequest makes a deleted pull request a closed one: go-scm
// calls it "deleted", and what the dispatcher must do is what it does for
// pr:declined, cancel the pull request's unfinished runs. The payload may
// still say OPEN, so Closed is set here.
func deletedPullRequest(ev event.Event) event.Event {
	ev.Action, ev.Closed = event.ActionClosed, true
	return ev
}
