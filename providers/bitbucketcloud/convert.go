package bitbucketcloud

import (
	"cmp"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// closedStates are the pull request states that are not open.
var closedStates = map[string]bool{"MERGED": true, "DECLINED": true, "SUPERSEDED": true}

// convert maps a go-scm hook onto an event and puts back what go-scm
// drops. Pull request hashes stay as the payload gives them: 12
// characters.
func convert(hook scm.Webhook, fields payload) (event.Event, error) {
	ev, ok := scmhook.FromRefHook(hook)
	if !ok {
		var err error
		if ev, err = scmhook.Convert(hook); err != nil {
			return ev, err
		}
	}
	// Payloads carry no default branch; go-scm fills in the PR's target.
	ev.Repo.DefaultBranch = ""
	switch {
	case ev.IsPullRequest():
		ev.BaseSHA = cmp.Or(ev.BaseSHA, fields.PullRequest.Destination.Commit.Hash)
		ev.Draft = fields.PullRequest.Draft
		ev.Body = fields.PullRequest.Description
		// Bitbucket Cloud payloads say nothing of conflicts or of an
		// earlier destination branch: Unmergeable and PreviousBaseRef
		// stay unset.
		ev.Closed = closedStates[fields.PullRequest.State]
	case ev.Kind == event.KindPush && len(fields.Push.Changes) > 0 && fields.Push.Changes[0].Old != nil:
		ev.BaseSHA = cmp.Or(ev.BaseSHA, fields.Push.Changes[0].Old.Target.Hash)
	}
	ev.FilesUnlisted = ev.Kind == event.KindPush && !ev.Deleted
	// Who acted, by account id: the name trust checks read.
	ev.Sender = fields.Actor.AccountID
	if ev.Comment != nil {
		// The comment's user is left out of some payloads; the actor wrote it.
		ev.Comment.Author = cmp.Or(ev.Comment.Author, fields.Actor.AccountID)
	}
	return ev, scmhook.Validate(ev)
}
