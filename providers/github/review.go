package github

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// reviewEvent is the X-GitHub-Event of a pull request review. fresnel
// reads it itself: go-scm's scmhook conversion knows no reviews. The lgtm
// plugin's review_acts_as_lgtm uses it.
const reviewEvent = "pull_request_review"

type reviewPayload struct {
	Action string `json:"action"`
	Review struct {
		ID       int    `json:"id"`
		Body     string `json:"body"`
		State    string `json:"state"`
		CommitID string `json:"commit_id"`
		User     login  `json:"user"`
	} `json:"review"`
	PullRequest *struct {
		Number  int    `json:"number"`
		Title   string `json:"title"`
		HTMLURL string `json:"html_url"`
		State   string `json:"state"`
		Draft   bool   `json:"draft"`
		User    login  `json:"user"`
		Labels  []struct {
			Name string `json:"name"`
		} `json:"labels"`
		Head struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"base"`
	} `json:"pull_request"`
	Repository repository `json:"repository"`
	Sender     login      `json:"sender"`
}

// parseReview turns a pull_request_review delivery into a review event:
// submitted or dismissed, with the review's state and body.
func parseReview(body []byte) (event.Event, error) {
	var p reviewPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return event.Event{}, providers.BadPayload("pull_request_review: %s", providers.JSONProblem(err))
	}
	if p.Action != string(event.ActionSubmitted) && p.Action != string(event.ActionDismissed) {
		return event.Event{}, providers.Ignore("pull_request_review action %q is not handled", p.Action)
	}
	if p.PullRequest == nil {
		return event.Event{}, providers.BadPayload("pull_request_review without pull_request")
	}
	ev := reviewedPullRequest(p)
	ev.Kind, ev.Action, ev.Sender = event.KindReview, event.Action(p.Action), p.Sender.Login
	ev.Review = strings.ToLower(p.Review.State)
	ev.Comment = &event.Comment{ID: strconv.Itoa(p.Review.ID), Body: p.Review.Body, Author: p.Review.User.Login}
	if ev.Number <= 0 || ev.Repo.FullName == "" || ev.Comment.Author == "" {
		return ev, providers.BadPayload("pull_request_review without pull request number, repository or reviewer")
	}
	return ev, scmhook.Validate(ev)
}

func reviewedPullRequest(p reviewPayload) event.Event {
	pr, r := p.PullRequest, p.Repository
	ev := event.Event{
		Repo:   r.event(),
		Number: pr.Number, Title: pr.Title, Link: pr.HTMLURL, Draft: pr.Draft, Author: pr.User.Login,
		BaseRef: pr.Base.Ref, BaseSHA: pr.Base.SHA, HeadRef: pr.Head.Ref, HeadSHA: pr.Head.SHA,
		PullRef: fmt.Sprintf("refs/pull/%d/head", pr.Number), Closed: pr.State != "" && pr.State != "open",
	}
	for _, l := range pr.Labels {
		ev.Labels = append(ev.Labels, l.Name)
	}
	return ev
}
