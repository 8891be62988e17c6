package scmhook

import (
	"context"
	"fmt"
	"time"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// Bounds of a listing of open pull requests: pages of PageSize, at most
// MaxPages of them, so a reconcile of a busy repository stays cheap.
const (
	PageSize = 100
	MaxPages = 5
)

// OpenPullRequests lists repo's open pull requests through go-scm, at
// most MaxPages pages, and returns those updated at or after since as
// pull_request synchronize events. Drafts are kept: selection decides
// what a draft runs.
func OpenPullRequests(ctx context.Context, c *scm.Client, repo string, since time.Time) ([]event.Event, error) {
	var out []event.Event
	var base *scm.Repository
	for page := 1; page <= MaxPages; page++ {
		prs, res, err := c.PullRequests.List(ctx, repo, &scm.PullRequestListOptions{Open: true, Page: page, Size: PageSize})
		if err != nil {
			return out, fmt.Errorf("list open pull requests of %s: %w", repo, err)
		}
		for _, pr := range prs {
			if pr == nil || pr.Closed || pr.Merged || (!pr.Updated.IsZero() && pr.Updated.Before(since)) {
				continue
			}
			if base == nil && pr.Base.Repo.Clone == "" {
				if base, err = findRepo(ctx, c, repo); err != nil {
					return out, err
				}
			}
			if base != nil {
				pr.Base.Repo = *base
			}
			out = append(out, SynchronizeEvent(repo, *pr))
		}
		if res == nil || res.Page.Next == 0 || len(prs) < PageSize {
			break
		}
	}
	return out, nil
}

// SynchronizeEvent is the pull_request event a push to pr would have
// made: action synchronize, no delivery id.
func SynchronizeEvent(repoName string, pr scm.PullRequest) event.Event {
	r := pr.Base.Repo
	if r.FullName == "" {
		r.FullName = repoName
	}
	ev := pullRequest(r, pr)
	ev.Kind, ev.Action = event.KindPullRequest, event.ActionSynchronize
	return ev
}

// findRepo reads repo, for the clone URL and link a listing of pull
// requests leaves out (GitLab's merge requests name no project).
func findRepo(ctx context.Context, c *scm.Client, repo string) (*scm.Repository, error) {
	r, _, err := c.Repositories.Find(ctx, repo)
	if err != nil {
		return nil, fmt.Errorf("read repository %s: %w", repo, err)
	}
	if r.FullName == "" {
		r.FullName = repo
	}
	return r, nil
}
