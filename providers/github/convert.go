package github

import (
	"encoding/json"
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

func convert(hook scm.Webhook, body []byte) (event.Event, error) {
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
	return withRawFields(ev, body)
}

// rawPayload holds what go-scm's GitHub driver drops or blurs: it keeps
// no edit's previous base branch, and reads a null mergeable (not yet
// computed) as false.
type rawPayload struct {
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
	PullRequest *struct {
		Body      string `json:"body"`
		State     string `json:"state"`
		Mergeable *bool  `json:"mergeable"`
	} `json:"pull_request"`
	Issue *struct {
		Body  string `json:"body"`
		State string `json:"state"`
	} `json:"issue"`
	Changes struct {
		Base struct {
			Ref struct {
				From string `json:"from"`
			} `json:"ref"`
		} `json:"base"`
	} `json:"changes"`
}

// withRawFields fills the event fields go-scm does not carry: who acted,
// the pull request's description, whether it is closed or cannot merge,
// and the base branch an edit replaced.
func withRawFields(ev event.Event, body []byte) (event.Event, error) {
	var raw rawPayload
	if err := json.Unmarshal(body, &raw); err != nil {
		return ev, providers.BadPayload("%s", providers.JSONProblem(err))
	}
	ev.Sender = raw.Sender.Login
	switch {
	case raw.PullRequest != nil:
		ev.Body = raw.PullRequest.Body
		ev.Closed = raw.PullRequest.State != "" && raw.PullRequest.State != "open"
		ev.Unmergeable = raw.PullRequest.Mergeable != nil && !*raw.PullRequest.Mergeable
	case raw.Issue != nil && ev.Kind == event.KindComment:
		ev.Body = raw.Issue.Body
		ev.Closed = raw.Issue.State != "" && raw.Issue.State != "open"
	}
	if ev.Action == event.ActionEdited && ev.Kind == event.KindPullRequest {
		ev.PreviousBaseRef = raw.Changes.Base.Ref.From
	}
	return ev, nil
}
