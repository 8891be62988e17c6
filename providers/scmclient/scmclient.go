// Package scmclient reports results and reads pull requests through a
// go-scm client. The providers built on go-scm embed it.
package scmclient

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Client adapts a go-scm client to fresnel's reporter roles.
type Client struct {
	SCM *scm.Client
	// Component prefixes errors, e.g. "provider/github".
	Component string
	// MapStatus lets a provider adjust a status before it is sent (to fit a
	// key length, say). Nil sends it as is.
	MapStatus func(providers.Status) providers.Status
	// IsDone reports an error that means the status is set already.
	IsDone func(error) bool
}

// Authorize makes the client send token as a bearer token (or with
// username, as Basic auth) through base.
func Authorize(c *scm.Client, username, token string, base http.RoundTripper) {
	if base == nil {
		base = http.DefaultTransport
	}
	c.Client = &http.Client{Transport: authTransport{base: base, username: username, token: token}}
}

type authTransport struct {
	base            http.RoundTripper
	username, token string
}

func (t authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.token == "" {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	if t.username != "" {
		r.SetBasicAuth(t.username, t.token)
	} else {
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(r)
}

var states = map[providers.State]scm.State{
	providers.StatePending: scm.StatePending,
	providers.StateSuccess: scm.StateSuccess,
	providers.StateFailure: scm.StateFailure,
	providers.StateError:   scm.StateError,
}

// SetStatus sets a commit status.
func (c *Client) SetStatus(ctx context.Context, ref event.CommitRef, s providers.Status) error {
	if c.MapStatus != nil {
		s = c.MapStatus(s)
	}
	in := &scm.StatusInput{
		State:  states[s.State],
		Label:  s.Context,
		Desc:   s.Description,
		Target: s.TargetURL,
	}
	_, _, err := c.SCM.Repositories.CreateStatus(ctx, ref.Repo, ref.SHA, in)
	if err != nil && c.IsDone != nil && c.IsDone(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: set status %q on %s@%s: %w", c.Component, s.Context, ref.Repo, ref.SHA, err)
	}
	return nil
}

// Comment posts a comment on a pull request.
func (c *Client) Comment(ctx context.Context, target event.Target, body string) (string, error) {
	out, _, err := c.SCM.PullRequests.CreateComment(ctx, target.Repo, target.Number, &scm.CommentInput{Body: body})
	if err != nil {
		return "", fmt.Errorf("%s: comment on %s#%d: %w", c.Component, target.Repo, target.Number, err)
	}
	return strconv.Itoa(out.ID), nil
}

// pageSize is the page size asked for when listing changed files.
const pageSize = 100

// ChangedFiles lists the files a pull request changes, or a push between
// its old and new commits, all pages of them.
func (c *Client) ChangedFiles(ctx context.Context, ev event.Event) ([]string, error) {
	if ev.Kind == event.KindPush {
		return c.pushFiles(ctx, ev)
	}
	return allPages(func(opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
		changes, res, err := c.SCM.PullRequests.ListChanges(ctx, ev.Repo.FullName, ev.Number, opts)
		if err != nil {
			err = fmt.Errorf("%s: list changes of %s#%d: %w", c.Component, ev.Repo.FullName, ev.Number, err)
		}
		return changes, res, err
	})
}

// pushFiles compares a push's old and new commits. A new branch has no
// old commit to compare with: its files are unknown.
func (c *Client) pushFiles(ctx context.Context, ev event.Event) ([]string, error) {
	if ev.BaseSHA == "" || event.IsZeroSHA(ev.BaseSHA) {
		return nil, event.ErrFilesUnknown
	}
	return allPages(func(opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
		changes, res, err := c.SCM.Git.CompareCommits(ctx, ev.Repo.FullName, ev.HeadSHA, ev.BaseSHA, opts)
		if err != nil {
			err = fmt.Errorf("%s: compare %s %s..%s: %w", c.Component, ev.Repo.FullName, ev.BaseSHA, ev.HeadSHA, err)
		}
		return changes, res, err
	})
}

// allPages lists the paths of every page of changes, the old path of a
// renamed file too.
func allPages(list func(*scm.ListOptions) ([]*scm.Change, *scm.Response, error)) ([]string, error) {
	var files []string
	opts := &scm.ListOptions{Page: 1, Size: pageSize}
	for {
		changes, res, err := list(opts)
		if err != nil {
			return nil, err
		}
		for _, ch := range changes {
			files = append(files, ch.Path)
			if ch.PreviousPath != "" && ch.PreviousPath != ch.Path {
				files = append(files, ch.PreviousPath)
			}
		}
		if res == nil || res.Page.Next == 0 || res.Page.Next == opts.Page {
			return files, nil
		}
		opts.Page = res.Page.Next
	}
}

// CompletePullRequest reads the pull request a comment event is about and
// fills in its branches, SHAs and draft state.
func (c *Client) CompletePullRequest(ctx context.Context, ev event.Event) (event.Event, error) {
	pr, _, err := c.SCM.PullRequests.Find(ctx, ev.Repo.FullName, ev.Number)
	if err != nil {
		return ev, fmt.Errorf("%s: read %s#%d: %w", c.Component, ev.Repo.FullName, ev.Number, err)
	}
	ev.BaseRef = cmp.Or(pr.Base.Ref, pr.Target, ev.BaseRef)
	ev.BaseSHA = cmp.Or(pr.Base.Sha, ev.BaseSHA)
	ev.HeadRef = cmp.Or(pr.Head.Ref, pr.Source, ev.HeadRef)
	ev.HeadSHA = cmp.Or(pr.Head.Sha, pr.Sha, ev.HeadSHA)
	ev.Draft = pr.Draft
	ev.Merged = pr.Merged
	ev.Closed = ev.Closed || pr.Closed
	// go-scm reads a mergeable not yet computed as false; its state tells
	// a known conflict apart.
	ev.Unmergeable = pr.MergeableState == scm.MergeableStateConflicting
	if ev.Author == "" {
		ev.Author = pr.Author.Login
	}
	return ev, nil
}
