package bitbucketcloud

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// requiredObjects are the fields, by X-Event-Key, that must be JSON
// objects before go-scm reads a body: it dereferences them unchecked.
var requiredObjects = map[string][]string{
	commentCreated: {"actor", "pullrequest", "comment", "repository"},
}

const (
	pullRequestCreated = "pullrequest:created"
	commentCreated     = "pullrequest:comment_created"
)

// createdActions are the pull request events go-scm is handed as
// pullrequest:created, with the action they stand for put back after: for
// the others its driver sets the action on the hook before it looks at
// the error, and so dereferences nil on any body it cannot decode. A
// creation decodes the same pull request and returns the error.
var createdActions = map[string]scm.Action{
	"pullrequest:updated":   scm.ActionSync,
	"pullrequest:fulfilled": scm.ActionMerge,
	"pullrequest:rejected":  scm.ActionClose,
}

// parseHook runs go-scm over a delivery around its Bitbucket driver's
// traps.
func (p *Provider) parseHook(ctx context.Context, key string, r *http.Request, body []byte) (scm.Webhook, error) {
	action, asCreated := createdActions[key]
	switch {
	case key == commentCreated:
		return p.parseComment(ctx, r, body)
	case !asCreated:
		return scmhook.Parse(ctx, p.hooks, r, body)
	}
	hook, err := p.parsePullRequest(ctx, r, body)
	if err != nil {
		return nil, err
	}
	hook.Action = action
	return hook, nil
}

func (p *Provider) parsePullRequest(ctx context.Context, r *http.Request, body []byte) (*scm.PullRequestHook, error) {
	req := r.Clone(ctx)
	req.Header.Set("X-Event-Key", pullRequestCreated)
	hook, err := scmhook.Parse(ctx, p.hooks, req, body)
	if err != nil {
		return nil, err
	}
	pr, ok := hook.(*scm.PullRequestHook)
	if !ok {
		return nil, providers.BadPayload("not a pull request event")
	}
	return pr, nil
}

// commentFields is the comment of a pullrequest:comment_created delivery.
type commentFields struct {
	Comment struct {
		ID      int `json:"id"`
		Content struct {
			Raw string `json:"raw"`
		} `json:"content"`
		User account `json:"user"`
	} `json:"comment"`
}

// parseComment builds a comment hook from the pull request go-scm decodes
// and the comment read here: go-scm's comment parser dereferences nil on
// any body it cannot decode.
func (p *Provider) parseComment(ctx context.Context, r *http.Request, body []byte) (scm.Webhook, error) {
	pr, err := p.parsePullRequest(ctx, r, body)
	if err != nil {
		return nil, err
	}
	var fields commentFields
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, providers.BadPayload("%s: %s", commentCreated, providers.JSONProblem(err))
	}
	return &scm.PullRequestCommentHook{
		Action:      scm.ActionCreate,
		PullRequest: pr.PullRequest,
		Repo:        pr.Repo,
		Sender:      pr.Sender,
		Comment: scm.Comment{
			ID:     fields.Comment.ID,
			Body:   fields.Comment.Content.Raw,
			Author: scm.User{Login: fields.Comment.User.AccountID},
		},
	}, nil
}
