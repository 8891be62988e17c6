package github

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// ListComments lists a pull request's conversation comments (issue
// comments, not review comments on lines), every page, oldest first.
func (p *Provider) ListComments(ctx context.Context, target event.Target) ([]event.Comment, error) {
	comments, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]*scm.Comment, *scm.Response, error) {
		return p.SCM.Issues.ListComments(ctx, target.Repo, target.Number, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("provider/github: list comments of %s#%d: %w", target.Repo, target.Number, err)
	}
	out := make([]event.Comment, 0, len(comments))
	for _, c := range comments {
		out = append(out, event.Comment{ID: strconv.Itoa(c.ID), Body: c.Body, Author: c.Author.Login})
	}
	return out, nil
}

// EditComment replaces a comment's body (PATCH
// /repos/{repo}/issues/comments/{id}).
func (p *Provider) EditComment(ctx context.Context, target event.Target, id, body string) error {
	n, err := scmclient.CommentID(id)
	if err == nil {
		_, _, err = p.SCM.Issues.EditComment(ctx, target.Repo, target.Number, n, &scm.CommentInput{Body: body})
	}
	if err != nil {
		return fmt.Errorf("provider/github: edit comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}

// DeleteComment deletes a comment (DELETE /repos/{repo}/issues/comments/{id}).
func (p *Provider) DeleteComment(ctx context.Context, target event.Target, id string) error {
	n, err := scmclient.CommentID(id)
	if err == nil {
		_, err = p.SCM.Issues.DeleteComment(ctx, target.Repo, target.Number, n)
	}
	if err != nil {
		return fmt.Errorf("provider/github: delete comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}
