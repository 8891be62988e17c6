package bitbucketserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

type prComment struct {
	ID      int    `json:"id"`
	Version int    `json:"version"`
	Text    string `json:"text"`
	Author  struct {
		Slug string `json:"slug"`
	} `json:"author"`
}

type activity struct {
	Action        string     `json:"action"`
	CommentAction string     `json:"commentAction"`
	Comment       *prComment `json:"comment"`
}

type activityPage struct {
	Values     []activity `json:"values"`
	IsLastPage bool       `json:"isLastPage"`
}

// pullRequestPath is the API path of a pull request, then parts.
func pullRequestPath(target event.Target, parts ...string) string {
	p := fmt.Sprintf("rest/api/1.0/%s/pull-requests/%d", repoPath(target.Repo), target.Number)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}

// ListComments lists a pull request's comments, oldest first. Data Center
// lists general comments only as activities (GET .../activities, newest
// first, every page): each comment added and not deleted since, with its
// text as it is now.
func (p *Provider) ListComments(ctx context.Context, target event.Target) ([]event.Comment, error) {
	activities, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]activity, *scm.Response, error) {
		return p.activitiesPage(ctx, target, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("provider/bitbucketserver: list comments of %s#%d: %w", target.Repo, target.Number, err)
	}
	return liveComments(activities), nil
}

// liveComments reads the comments added and not deleted from activities,
// newest first, and returns them oldest first.
func liveComments(activities []activity) []event.Comment {
	deleted := map[int]bool{}
	var out []event.Comment
	for _, a := range activities {
		if a.Action != "COMMENTED" || a.Comment == nil {
			continue
		}
		switch {
		case a.CommentAction == "DELETED":
			deleted[a.Comment.ID] = true
		case a.CommentAction == "ADDED" && !deleted[a.Comment.ID]:
			out = append(out, event.Comment{ID: strconv.Itoa(a.Comment.ID), Body: a.Comment.Text, Author: a.Comment.Author.Slug})
		}
	}
	slices.Reverse(out)
	return out
}

func (p *Provider) activitiesPage(ctx context.Context, target event.Target, opts *scm.ListOptions) ([]activity, *scm.Response, error) {
	query := url.Values{"start": {strconv.Itoa((opts.Page - 1) * opts.Size)}, "limit": {strconv.Itoa(opts.Size)}}
	var page activityPage
	res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, pullRequestPath(target, "activities")+"?"+query.Encode(), nil, &page)
	if err != nil {
		return nil, res, err
	}
	if !page.IsLastPage {
		res.Page.Next = opts.Page + 1
	}
	return page.Values, res, nil
}

// commentVersion reads a comment's version, which Data Center requires
// for an edit or a delete (GET .../comments/{id}).
func (p *Provider) commentVersion(ctx context.Context, target event.Target, id string) (int, error) {
	if _, err := scmclient.CommentID(id); err != nil {
		return 0, err
	}
	var c prComment
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, pullRequestPath(target, "comments", id), nil, &c); err != nil {
		return 0, err
	}
	return c.Version, nil
}

// EditComment replaces a comment's text: PUT .../comments/{id} with the
// text and the version just read. A comment changed in between fails
// with 409, as Data Center answers.
func (p *Provider) EditComment(ctx context.Context, target event.Target, id, body string) error {
	version, err := p.commentVersion(ctx, target, id)
	if err == nil {
		in := map[string]any{"text": body, "version": version}
		_, err = scmclient.Do(ctx, p.SCM, http.MethodPut, pullRequestPath(target, "comments", id), in, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/bitbucketserver: edit comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}

// DeleteComment deletes a comment: DELETE .../comments/{id}?version=N.
// Data Center refuses to delete a comment that has replies.
func (p *Provider) DeleteComment(ctx context.Context, target event.Target, id string) error {
	version, err := p.commentVersion(ctx, target, id)
	if err == nil {
		path := pullRequestPath(target, "comments", id) + "?version=" + strconv.Itoa(version)
		_, err = scmclient.Do(ctx, p.SCM, http.MethodDelete, path, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/bitbucketserver: delete comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}
