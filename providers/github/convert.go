package github

import (
	"fmt"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// handledPullRequestActions are the pull_request actions fresnel acts on.
var handledPullRequestActions = map[event.Action]bool{
	event.ActionOpened:         true,
	event.ActionReopened:       true,
	event.ActionSynchronize:    true,
	event.ActionClosed:         true,
	event.ActionEdited:         true,
	event.ActionLabeled:        true,
	event.ActionUnlabeled:      true,
	event.ActionReadyForReview: true,
}

func convert(hook scm.Webhook) (event.Event, error) {
	ev, err := scmhook.Convert(hook)
	if err != nil {
		return ev, err
	}
	if ev.Kind == event.KindPullRequest && !handledPullRequestActions[ev.Action] {
		return ev, providers.Ignore("pull_request action %q is not handled", ev.Action)
	}
	if ev.Number > 0 {
		ev.PullRef = fmt.Sprintf("refs/pull/%d/head", ev.Number)
	}
	return ev, nil
}
