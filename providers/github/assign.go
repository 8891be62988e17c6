package github

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// What the plugins of pkg/plugins need of GitHub beyond labels: assignees,
// review requests, closing and reopening, and the admin permission.

var (
	_ providers.Assigner          = (*Provider)(nil)
	_ providers.ReviewRequester   = (*Provider)(nil)
	_ providers.PullRequestCloser = (*Provider)(nil)
	_ providers.AdminChecker      = (*Provider)(nil)
)

type login struct {
	Login string `json:"login"`
}

// repository is a payload's repository, for the events fresnel reads
// itself (reviews, merge groups).
type repository struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	CloneURL      string `json:"clone_url"`
	HTMLURL       string `json:"html_url"`
	DefaultBranch string `json:"default_branch"`
	Owner         login  `json:"owner"`
}

func (r repository) event() event.Repo {
	return event.Repo{
		Owner: r.Owner.Login, Name: r.Name, FullName: r.FullName,
		CloneURL: r.CloneURL, Link: r.HTMLURL, DefaultBranch: r.DefaultBranch,
	}
}

// Assign adds assignees (POST /repos/{repo}/issues/{number}/assignees).
// GitHub answers 201 but leaves out people it may not assign (not
// collaborators): those are an error naming them.
func (p *Provider) Assign(ctx context.Context, target event.Target, users []string) error {
	var issue struct {
		Assignees []login `json:"assignees"`
	}
	path := fmt.Sprintf("repos/%s/issues/%d/assignees", target.Repo, target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPost, path, map[string][]string{"assignees": users}, &issue); err != nil {
		return fmt.Errorf("provider/github: assign %s on %s#%d: %w", strings.Join(users, ", "), target.Repo, target.Number, err)
	}
	if missing := notIn(users, issue.Assignees); len(missing) > 0 {
		return fmt.Errorf("provider/github: GitHub did not assign %s on %s#%d: only collaborators can be assigned", strings.Join(missing, ", "), target.Repo, target.Number)
	}
	return nil
}

// Unassign removes assignees (DELETE .../issues/{number}/assignees).
func (p *Provider) Unassign(ctx context.Context, target event.Target, users []string) error {
	path := fmt.Sprintf("repos/%s/issues/%d/assignees", target.Repo, target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodDelete, path, map[string][]string{"assignees": users}, nil); err != nil {
		return fmt.Errorf("provider/github: unassign %s on %s#%d: %w", strings.Join(users, ", "), target.Repo, target.Number, err)
	}
	return nil
}

// RequestReview requests reviews (POST .../pulls/{number}/requested_reviewers);
// GitHub answers 422 for someone who is not a collaborator.
func (p *Provider) RequestReview(ctx context.Context, target event.Target, users []string) error {
	return p.reviewers(ctx, http.MethodPost, target, users)
}

// UnrequestReview withdraws review requests (DELETE .../requested_reviewers).
func (p *Provider) UnrequestReview(ctx context.Context, target event.Target, users []string) error {
	return p.reviewers(ctx, http.MethodDelete, target, users)
}

func (p *Provider) reviewers(ctx context.Context, method string, target event.Target, users []string) error {
	path := fmt.Sprintf("repos/%s/pulls/%d/requested_reviewers", target.Repo, target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, method, path, map[string][]string{"reviewers": users}, nil); err != nil {
		return fmt.Errorf("provider/github: %s review requests of %s on %s#%d: %w", method, strings.Join(users, ", "), target.Repo, target.Number, err)
	}
	return nil
}

// ClosePullRequest closes a pull request (PATCH .../pulls/{number}).
func (p *Provider) ClosePullRequest(ctx context.Context, target event.Target) error {
	return p.setState(ctx, target, "closed")
}

// ReopenPullRequest reopens a closed pull request.
func (p *Provider) ReopenPullRequest(ctx context.Context, target event.Target) error {
	return p.setState(ctx, target, "open")
}

func (p *Provider) setState(ctx context.Context, target event.Target, state string) error {
	path := fmt.Sprintf("repos/%s/pulls/%d", target.Repo, target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPatch, path, map[string]string{"state": state}, nil); err != nil {
		return fmt.Errorf("provider/github: set %s#%d %s: %w", target.Repo, target.Number, state, err)
	}
	return nil
}

// IsRepoAdmin reports whether user has the admin permission on repo (GET
// /repos/{repo}/collaborators/{user}/permission); 404 is no.
func (p *Provider) IsRepoAdmin(ctx context.Context, repo, user string) (bool, error) {
	var perm struct {
		Permission string `json:"permission"`
	}
	path := fmt.Sprintf("repos/%s/collaborators/%s/permission", repo, user)
	_, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &perm)
	if scmclient.StatusOf(err) == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("provider/github: permission of %s on %s: %w", user, repo, err)
	}
	return perm.Permission == "admin", nil
}

// notIn lists the users that logins lacks, compared without case.
func notIn(users []string, logins []login) []string {
	var missing []string
	for _, u := range users {
		if !slices.ContainsFunc(logins, func(l login) bool { return strings.EqualFold(l.Login, u) }) {
			missing = append(missing, u)
		}
	}
	return missing
}
