package github

import (
	"encoding/json"
	"fmt"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// The X-GitHub-Event values of a re-run asked for in GitHub's checks UI:
// "Re-run" on one check run, "Re-run all checks" on a check suite. GitHub
// sends them only to the App that made the checks.
const (
	checkRunEvent   = "check_run"
	checkSuiteEvent = "check_suite"
)

type checkApp struct {
	ID int64 `json:"id"`
}

type checkPullRequest struct {
	Number int `json:"number"`
}

type checkRunPayload struct {
	Action   string `json:"action"`
	CheckRun *struct {
		Name         string             `json:"name"`
		HeadSHA      string             `json:"head_sha"`
		ExternalID   string             `json:"external_id"`
		App          checkApp           `json:"app"`
		PullRequests []checkPullRequest `json:"pull_requests"`
	} `json:"check_run"`
	Repository repository `json:"repository"`
	Sender     login      `json:"sender"`
}

type checkSuitePayload struct {
	Action     string `json:"action"`
	CheckSuite *struct {
		HeadSHA      string             `json:"head_sha"`
		App          checkApp           `json:"app"`
		PullRequests []checkPullRequest `json:"pull_requests"`
	} `json:"check_suite"`
	Repository repository `json:"repository"`
	Sender     login      `json:"sender"`
}

// parseCheckRun turns a check run's re-run request into what a trusted
// /test of its job would be on its pull request: a new comment by the
// person who asked, whose rights the trigger then checks as for any
// command. The job and pull request come from the external_id fresnel
// gave the check run; a check run fresnel did not make is ignored.
func (p *Provider) parseCheckRun(body []byte) (event.Event, error) {
	var pl checkRunPayload
	if err := json.Unmarshal(body, &pl); err != nil {
		return event.Event{}, providers.BadPayload("check_run: %s", providers.JSONProblem(err))
	}
	if pl.Action != "rerequested" {
		return event.Event{}, providers.Ignore("check_run action %q is not handled", pl.Action)
	}
	cr := pl.CheckRun
	if cr == nil || pl.Repository.FullName == "" {
		return event.Event{}, providers.BadPayload("check_run without check_run or repository")
	}
	if err := p.ownApp(cr.App.ID); err != nil {
		return event.Event{}, err
	}
	number, job, ok := parseExternalID(cr.ExternalID)
	if !ok {
		return event.Event{}, providers.Ignore("check run %q was not made by fresnel (external_id %q)", cr.Name, cr.ExternalID)
	}
	if number == 0 {
		return event.Event{}, providers.Ignore("check run %q is on a commit without a pull request: nothing to re-run it on", cr.Name)
	}
	return rerunEvent(pl.Repository, pl.Sender.Login, number, "/test "+job), nil
}

// parseCheckSuite turns "Re-run all checks" into /test all on the suite's
// pull request. GitHub names no pull request in a suite whose commit
// comes from a fork: such a request is ignored, and /test all does it.
func (p *Provider) parseCheckSuite(body []byte) (event.Event, error) {
	var pl checkSuitePayload
	if err := json.Unmarshal(body, &pl); err != nil {
		return event.Event{}, providers.BadPayload("check_suite: %s", providers.JSONProblem(err))
	}
	if pl.Action != "rerequested" {
		return event.Event{}, providers.Ignore("check_suite action %q is not handled", pl.Action)
	}
	cs := pl.CheckSuite
	if cs == nil || pl.Repository.FullName == "" {
		return event.Event{}, providers.BadPayload("check_suite without check_suite or repository")
	}
	if err := p.ownApp(cs.App.ID); err != nil {
		return event.Event{}, err
	}
	if len(cs.PullRequests) != 1 || cs.PullRequests[0].Number <= 0 {
		return event.Event{}, providers.Ignore("check suite of %s names %d pull requests, not one (a fork's pull request is not named): comment /test all on it instead", cs.HeadSHA, len(cs.PullRequests))
	}
	return rerunEvent(pl.Repository, pl.Sender.Login, cs.PullRequests[0].Number, "/test all"), nil
}

// ownApp refuses a check that another App made, when fresnel acts as an
// App (a repository webhook receives every App's check events).
func (p *Provider) ownApp(id int64) error {
	if p.opts.App != nil && id != p.opts.App.ID {
		return providers.Ignore("the check belongs to GitHub App %d, not to fresnel's (%d)", id, p.opts.App.ID)
	}
	return nil
}

// rerunEvent is a new comment carrying command, by sender, on pull
// request number. The pull request's head and base are left for the
// dispatcher to read, so the job runs on the pull request as it is now.
func rerunEvent(r repository, sender string, number int, command string) event.Event {
	return event.Event{
		Kind: event.KindComment, Action: event.ActionCreated,
		Repo: r.event(), Number: number, Sender: sender,
		PullRef: fmt.Sprintf("refs/pull/%d/head", number),
		Comment: &event.Comment{Body: command, Author: sender},
	}
}
