package gitlab

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

// What the plugins of pkg/plugins need of GitLab beyond labels: assignees
// and reviewers (which GitLab sets whole, by user id, so fresnel reads the
// merge request first), closing and reopening, and the Maintainer role.

var (
	_ providers.Assigner          = (*Provider)(nil)
	_ providers.ReviewRequester   = (*Provider)(nil)
	_ providers.PullRequestCloser = (*Provider)(nil)
	_ providers.AdminChecker      = (*Provider)(nil)
)

// maintainerAccess is GitLab's Maintainer role: fresnel's "repo admin".
const maintainerAccess = 40

// Assign adds assignees: PUT .../merge_requests/{iid} with assignee_ids.
func (p *Provider) Assign(ctx context.Context, target event.Target, users []string) error {
	return p.changePeople(ctx, target, "assignees", "assignee_ids", users, true)
}

// Unassign removes assignees.
func (p *Provider) Unassign(ctx context.Context, target event.Target, users []string) error {
	return p.changePeople(ctx, target, "assignees", "assignee_ids", users, false)
}

// RequestReview adds reviewers: PUT .../merge_requests/{iid} with reviewer_ids.
func (p *Provider) RequestReview(ctx context.Context, target event.Target, users []string) error {
	return p.changePeople(ctx, target, "reviewers", "reviewer_ids", users, true)
}

// UnrequestReview removes reviewers.
func (p *Provider) UnrequestReview(ctx context.Context, target event.Target, users []string) error {
	return p.changePeople(ctx, target, "reviewers", "reviewer_ids", users, false)
}

// changePeople reads the merge request's assignees or reviewers (field),
// adds or removes users and writes the ids back (idsField).
func (p *Provider) changePeople(ctx context.Context, target event.Target, field, idsField string, users []string, add bool) error {
	fail := func(err error) error {
		return fmt.Errorf("provider/gitlab: change %s of %s!%d (%s): %w", field, target.Repo, target.Number, strings.Join(users, ", "), err)
	}
	var mr struct {
		Assignees []member `json:"assignees"`
		Reviewers []member `json:"reviewers"`
	}
	path := projectPath(target.Repo, "merge_requests", target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &mr); err != nil {
		return fail(err)
	}
	current := mr.Assignees
	if field == "reviewers" {
		current = mr.Reviewers
	}
	ids := make([]int, 0, len(current)+len(users))
	for _, m := range current {
		if add || !slices.Contains(users, m.Username) {
			ids = append(ids, m.ID)
		}
	}
	if add {
		added, err := p.userIDs(ctx, users)
		if err != nil {
			return fail(err)
		}
		ids = append(ids, added...)
	}
	slices.Sort(ids)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPut, path, map[string][]int{idsField: slices.Compact(ids)}, nil); err != nil {
		return fail(err)
	}
	return nil
}

// userIDs looks users up; one GitLab does not know is an error.
func (p *Provider) userIDs(ctx context.Context, users []string) ([]int, error) {
	ids := make([]int, 0, len(users))
	for _, u := range users {
		id, err := p.userID(ctx, u)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			return nil, fmt.Errorf("no GitLab user %s", u)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// ClosePullRequest closes a merge request (state_event=close).
func (p *Provider) ClosePullRequest(ctx context.Context, target event.Target) error {
	return p.stateEvent(ctx, target, "close")
}

// ReopenPullRequest reopens a closed merge request (state_event=reopen).
func (p *Provider) ReopenPullRequest(ctx context.Context, target event.Target) error {
	return p.stateEvent(ctx, target, "reopen")
}

func (p *Provider) stateEvent(ctx context.Context, target event.Target, ev string) error {
	path := projectPath(target.Repo, "merge_requests", target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPut, path, map[string]string{"state_event": ev}, nil); err != nil {
		return fmt.Errorf("provider/gitlab: %s %s!%d: %w", ev, target.Repo, target.Number, err)
	}
	return nil
}

// IsRepoAdmin reports whether user is a Maintainer or Owner of project,
// inherited membership included.
func (p *Provider) IsRepoAdmin(ctx context.Context, project, user string) (bool, error) {
	id, err := p.userID(ctx, user)
	if err != nil || id == 0 {
		return false, wrapAdmin(project, user, err)
	}
	var m member
	_, err = scmclient.Do(ctx, p.SCM, http.MethodGet, fmt.Sprintf("%s/members/all/%d", projectPath(project), id), nil, &m)
	if scmclient.StatusOf(err) == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, wrapAdmin(project, user, err)
	}
	return m.AccessLevel >= maintainerAccess && m.State != "blocked", nil
}

func wrapAdmin(project, user string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("provider/gitlab: is %s a maintainer of %s: %w", user, project, err)
}
