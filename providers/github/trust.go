package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// IsOrgMember asks GET /orgs/{org}/members/{user}: 204 is a member, 404
// is not. GitHub answers 302 to a token outside the organization, pointing
// at the public members list; the redirect is followed, so a public member
// counts, and a 302 that cannot be followed is "no". go-scm's IsMember
// makes that 302 an error, so the call is ours.
func (p *Provider) IsOrgMember(ctx context.Context, org, user string) (bool, error) {
	if org == "" || user == "" {
		return false, nil
	}
	path := "orgs/" + url.PathEscape(org) + "/members/" + url.PathEscape(user)
	ok, err := scmclient.Probe(ctx, p.SCM, path, http.StatusNotFound, http.StatusFound)
	if err != nil {
		return false, fmt.Errorf("provider/github: is %s a member of %s: %w", user, org, err)
	}
	return ok, nil
}

// IsCollaborator asks GET /repos/{owner}/{name}/collaborators/{user}: 204
// is a collaborator (outside collaborators, organization members with
// access and team members alike), 404 is not. go-scm's IsCollaborator
// would do, but drops GitHub's error text (a 403 "Must have push access"
// says what the token lacks); ours keeps it, as IsOrgMember does.
func (p *Provider) IsCollaborator(ctx context.Context, repo, user string) (bool, error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || user == "" {
		return false, fmt.Errorf("provider/github: is %q a collaborator of %q: repository is not owner/name", user, repo)
	}
	path := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/collaborators/" + url.PathEscape(user)
	yes, err := scmclient.Probe(ctx, p.SCM, path, http.StatusNotFound)
	if err != nil {
		return false, fmt.Errorf("provider/github: is %s a collaborator of %s: %w", user, repo, err)
	}
	return yes, nil
}
