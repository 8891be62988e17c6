package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// developerAccess is GitLab's Developer role, the least that may push:
// fresnel trusts members with it or more (Maintainer 40, Owner 50).
const developerAccess = 30

// IsOrgMember reports whether user is a member of group, directly, through
// a parent group or through a shared group, with at least the Developer
// role: GET /api/v4/groups/{group}/members/all/{id}. group may be nested
// (a/b); its path is escaped whole, which go-scm's IsMember forgets.
func (p *Provider) IsOrgMember(ctx context.Context, group, user string) (bool, error) {
	ok, err := p.hasAccess(ctx, "api/v4/groups/"+url.PathEscape(group), user)
	if err != nil {
		return false, fmt.Errorf("provider/gitlab: is %s a member of group %s: %w", user, group, err)
	}
	return ok, nil
}

// IsCollaborator reports whether user is a member of project, inherited
// membership included, with at least the Developer role: GET
// /api/v4/projects/{path}/members/all/{id}.
func (p *Provider) IsCollaborator(ctx context.Context, project, user string) (bool, error) {
	ok, err := p.hasAccess(ctx, projectPath(project), user)
	if err != nil {
		return false, fmt.Errorf("provider/gitlab: is %s a member of project %s: %w", user, project, err)
	}
	return ok, nil
}

type member struct {
	ID          int    `json:"id"`
	Username    string `json:"username"`
	State       string `json:"state"`
	AccessLevel int    `json:"access_level"`
}

// hasAccess asks the members/all endpoint under base (a group's or a
// project's API path) for user's effective membership. A user GitLab does
// not know, or who is no member, is "no".
func (p *Provider) hasAccess(ctx context.Context, base, user string) (bool, error) {
	if user == "" {
		return false, nil
	}
	id, err := p.userID(ctx, user)
	if err != nil || id == 0 {
		return false, err
	}
	var m member
	_, err = scmclient.Do(ctx, p.SCM, http.MethodGet, fmt.Sprintf("%s/members/all/%d", base, id), nil, &m)
	if scmclient.StatusOf(err) == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.AccessLevel >= developerAccess && m.State != "blocked", nil
}

// userID looks a username up (GET /api/v4/users?username=): the members
// API takes ids. 0 means GitLab has no such user.
func (p *Provider) userID(ctx context.Context, username string) (int, error) {
	var users []member
	path := "api/v4/users?" + url.Values{"username": {username}}.Encode()
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &users); err != nil {
		return 0, err
	}
	for _, u := range users {
		if u.Username == username || len(users) == 1 {
			return u.ID, nil
		}
	}
	return 0, nil
}
