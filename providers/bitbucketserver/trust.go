package bitbucketserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Users are named by their slug, as go-scm's stash driver names the actor
// of an event; a user's name (login) matches too.

// Permissions that trust a user, from the permissions API.
var (
	writeRepo    = []string{"REPO_WRITE", "REPO_ADMIN"}
	writeProject = []string{"PROJECT_WRITE", "PROJECT_ADMIN"}
)

// IsOrgMember reports whether user may write to every repository of the
// project projectKey: PROJECT_WRITE or PROJECT_ADMIN, granted to the user
// (GET /rest/api/1.0/projects/{key}/permissions/users?filter={user}).
func (p *Provider) IsOrgMember(ctx context.Context, projectKey, user string) (bool, error) {
	ok, err := p.granted(ctx, "rest/api/1.0/projects/"+url.PathEscape(projectKey), user, writeProject)
	if err != nil {
		return false, fmt.Errorf("provider/bitbucketserver: may %s write to project %s: %w", user, projectKey, err)
	}
	return ok, nil
}

// IsCollaborator reports whether user may write to repo (KEY/slug):
// REPO_WRITE or REPO_ADMIN on the repository
// (GET .../projects/{key}/repos/{slug}/permissions/users?filter={user}),
// else PROJECT_WRITE or PROJECT_ADMIN on its project.
func (p *Provider) IsCollaborator(ctx context.Context, repo, user string) (bool, error) {
	project, _, ok := strings.Cut(repo, "/")
	if !ok {
		return false, fmt.Errorf("provider/bitbucketserver: may %q write to %q: repository is not KEY/slug", user, repo)
	}
	yes, err := p.granted(ctx, "rest/api/1.0/"+repoPath(repo), user, writeRepo)
	if err == nil && !yes {
		yes, err = p.granted(ctx, "rest/api/1.0/projects/"+url.PathEscape(project), user, writeProject)
	}
	if err != nil {
		return false, fmt.Errorf("provider/bitbucketserver: may %s write to %s: %w", user, repo, err)
	}
	return yes, nil
}

type userPermissionPage struct {
	Values []struct {
		User struct {
			Name string `json:"name"`
			Slug string `json:"slug"`
		} `json:"user"`
		Permission string `json:"permission"`
	} `json:"values"`
	IsLastPage bool `json:"isLastPage"`
}

// granted reports whether one of perms is granted to user on the project
// or repository at base. The API's filter matches names, display names and
// emails by their start, so each answer is checked for the user itself.
func (p *Provider) granted(ctx context.Context, base, user string, perms []string) (bool, error) {
	if user == "" {
		return false, nil
	}
	found, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]string, *scm.Response, error) {
		query := url.Values{"filter": {user}, "start": {strconv.Itoa((opts.Page - 1) * opts.Size)}, "limit": {strconv.Itoa(opts.Size)}}
		var page userPermissionPage
		res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, base+"/permissions/users?"+query.Encode(), nil, &page)
		if err != nil {
			return nil, res, err
		}
		if !page.IsLastPage {
			res.Page.Next = opts.Page + 1
		}
		var mine []string
		for _, v := range page.Values {
			if strings.EqualFold(v.User.Slug, user) || v.User.Name == user {
				mine = append(mine, v.Permission)
			}
		}
		return mine, res, nil
	})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(found, func(perm string) bool { return slices.Contains(perms, perm) }), nil
}
