package gitlab

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

type listedNote struct {
	note
	System bool `json:"system"`
}

// ListComments lists a merge request's notes, oldest first, every page,
// leaving out system notes (GitLab's own "added 1 commit", "changed the
// description" lines): GET .../merge_requests/{iid}/notes.
func (p *Provider) ListComments(ctx context.Context, target event.Target) ([]event.Comment, error) {
	notes, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]listedNote, *scm.Response, error) {
		return p.notesPage(ctx, target, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("provider/gitlab: list notes of %s!%d: %w", target.Repo, target.Number, err)
	}
	out := make([]event.Comment, 0, len(notes))
	for _, n := range notes {
		if !n.System {
			out = append(out, event.Comment{ID: strconv.Itoa(n.ID), Body: n.Body, Author: n.Author.Username})
		}
	}
	return out, nil
}

func (p *Provider) notesPage(ctx context.Context, target event.Target, opts *scm.ListOptions) ([]listedNote, *scm.Response, error) {
	query := url.Values{
		"sort": {"asc"}, "order_by": {"created_at"},
		"page": {strconv.Itoa(opts.Page)}, "per_page": {strconv.Itoa(opts.Size)},
	}
	path := projectPath(target.Repo, "merge_requests", target.Number, "notes") + "?" + query.Encode()
	var notes []listedNote
	res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &notes)
	if err != nil {
		return nil, res, err
	}
	if res.Page.Next == 0 {
		res.Page.Next, _ = strconv.Atoi(res.Header.Get("X-Next-Page"))
	}
	return notes, res, nil
}

// EditComment replaces a note's body: PUT .../notes/{id} with {"body"}.
func (p *Provider) EditComment(ctx context.Context, target event.Target, id, body string) error {
	n, err := scmclient.CommentID(id)
	if err == nil {
		path := projectPath(target.Repo, "merge_requests", target.Number, "notes", n)
		_, err = scmclient.Do(ctx, p.SCM, http.MethodPut, path, map[string]string{"body": body}, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/gitlab: edit note %s on %s!%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}

// DeleteComment deletes a note: DELETE .../notes/{id}.
func (p *Provider) DeleteComment(ctx context.Context, target event.Target, id string) error {
	n, err := scmclient.CommentID(id)
	if err == nil {
		path := projectPath(target.Repo, "merge_requests", target.Number, "notes", n)
		_, err = scmclient.Do(ctx, p.SCM, http.MethodDelete, path, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("provider/gitlab: delete note %s on %s!%d: %w", id, target.Repo, target.Number, err)
	}
	return nil
}
