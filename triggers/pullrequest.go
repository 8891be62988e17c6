package triggers

import (
	"fmt"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// OkToTestLabel is the label that, added to a pull request, runs its
// presubmits as Prow's trigger does.
const OkToTestLabel = "ok-to-test"

// draftReply answers a draft pull request that is opened.
const draftReply = "This pull request is a draft, so its jobs do not start on their own. " +
	"Mark it ready for review to run them, or comment `/test all` (or `/test <job>`) to run them now."

// selectForPullRequest follows Prow's trigger on pull request events:
// opening, reopening, a push, a base branch change, being marked ready
// for review and the ok-to-test label run what /test all would, except on
// a draft. An opened pull request's description is then read as a
// comment, so commands in it run too.
func (c *Config) selectForPullRequest(ev event.Event, in Inputs) (Selection, error) {
	jobs := c.Presubmits[ev.Repo.FullName]
	why := updateSkipReason(ev)
	if why == "" && ev.Draft {
		why = "the pull request is a draft: marking it ready for review, or /test, starts jobs"
	}
	var sel Selection
	if why != "" {
		sel = skipAll(jobs, why)
	} else {
		var err error
		if sel, err = c.selectPresubmits(ev, in, testAll); err != nil {
			return sel, err
		}
	}
	if ev.Action != event.ActionOpened {
		return sel, nil
	}
	if ev.Draft {
		sel.Reply = draftReply
	}
	return c.withDescriptionCommands(sel, ev, in)
}

// updateSkipReason says why a pull request event runs no presubmits on its
// own, or "" when it runs what an update would.
func updateSkipReason(ev event.Event) string {
	switch ev.Action {
	case event.ActionOpened, event.ActionReopened, event.ActionSynchronize, event.ActionReadyForReview:
		return ""
	case event.ActionEdited:
		if ev.PreviousBaseRef != "" {
			return ""
		}
		return "an edit that keeps the base branch starts no jobs"
	case event.ActionLabeled:
		if ev.Label == OkToTestLabel {
			return ""
		}
		return fmt.Sprintf("label %q starts no jobs (only %q does)", ev.Label, OkToTestLabel)
	}
	return fmt.Sprintf("pull request action %q starts no jobs", ev.Action)
}

// withDescriptionCommands adds what the description of a newly opened
// pull request asks for, read as a new comment by its author.
func (c *Config) withDescriptionCommands(sel Selection, ev event.Event, in Inputs) (Selection, error) {
	if ev.Body == "" {
		return sel, nil
	}
	asComment := ev
	asComment.Kind, asComment.Action = event.KindComment, event.ActionCreated
	asComment.Comment = &event.Comment{Body: ev.Body, Author: ev.Author}
	fromBody, err := c.selectForComment(asComment, in)
	if err != nil {
		return sel, err
	}
	return sel.merge(fromBody), nil
}
