package bitbucketcloud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

type prComment struct {
	ID      int  `json:"id"`
	Deleted bool `json:"deleted"`
	Content struct {
		Raw string `json:"raw"`
	} `json:"content"`
	User struct {
		AccountID string `json:"account_id"`
	} `json:"user"`
}

type commentPage struct {
	Values []prComment `json:"values"`
	Next   string      `json:"next"`
}

// commentsPath is the API path of a pull request's comments, then parts.
func commentsPath(target event.Target, parts ...string) string {
	p := fmt.Sprintf("2.0/repositories/%s/pullrequests/%d/comments", target.Repo, target.Number)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}

// ListComments lists a pull request's comments, every page, leaving out
// deleted ones (Bitbucket keeps them, marked deleted). Authors are account
// ids, as in events.
func (p *Provider) ListComments(ctx context.Context, target event.Target) ([]event.Comment, error) {
	comments, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]prComment, *scm.Response, error) {
		query := url.Values{"page": {strconv.Itoa(opts.Page)}, "pagelen": {strconv.Itoa(opts.Size)}}
		var page commentPage
		res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, commentsPath(target)+"?"+query.Encode(), nil, &page)
		if err != nil {
			return nil, res, err
		}
		res.Page.Next = nextPage(page.Next)
		return page.Values, res, nil
	})
	if err != nil {
		return nil, fmt.Errorf("provider/bitbucketcloud: list comments of %s#%d: %w", target.Repo, target.Number, err)
	}
	out := make([]event.Comment, 0, len(comments))
	for _, c := range comments {
		if !c.Deleted {
			out = append(out, event.Comment{ID: strconv.Itoa(c.ID), Body: c.Content.Raw, Author: c.User.AccountID})
		}
	}
	return out, nil
}

// EditComment replaces a comment's text: PUT .../comments/{id} with
// {"content": {"raw": body}}.
func (p *Provider) EditComment(ctx context.Context, target event.Target, id, body string) error {
	_, err := scmclient.CommentID(id)
	if err == nil {
		in := map[string]any{"content": map[string]string{"raw": body}}
		_, err = scmclient.Do(ctx, p.SCM, http.MethodPut, commentsPath(target, id), in, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/bitbucketcloud: edit comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}

// DeleteComment deletes a comment: DELETE .../comments/{id}.
func (p *Provider) DeleteComment(ctx context.Context, target event.Target, id string) error {
	_, err := scmclient.CommentID(id)
	if err == nil {
		_, err = scmclient.Do(ctx, p.SCM, http.MethodDelete, commentsPath(target, id), nil, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/bitbucketcloud: delete comment %s on %s#%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}
