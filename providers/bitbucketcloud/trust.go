package bitbucketcloud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Users are named by account id (557058:ab12...) in fresnel's events,
// since Bitbucket Cloud payloads carry no username any more; the trust
// calls take and compare account ids.

// IsOrgMember reports whether the account user is a member of workspace:
// GET /2.0/workspaces/{workspace}/members/{account id}, 200 yes, 404 no.
// go-scm's IsMember counts only workspace owners and admins as members
// (and leaves its query unescaped); the call is ours.
func (p *Provider) IsOrgMember(ctx context.Context, workspace, user string) (bool, error) {
	if workspace == "" || user == "" {
		return false, nil
	}
	path := "2.0/workspaces/" + url.PathEscape(workspace) + "/members/" + url.PathEscape(user)
	ok, err := scmclient.Probe(ctx, p.SCM, path, http.StatusNotFound)
	if err != nil {
		return false, fmt.Errorf("provider/bitbucketcloud: is %s a member of workspace %s: %w", user, workspace, err)
	}
	return ok, nil
}

type permissionPage struct {
	Values []struct {
		Permission string `json:"permission"`
		User       struct {
			AccountID string `json:"account_id"`
		} `json:"user"`
	} `json:"values"`
	Next string `json:"next"`
}

// IsCollaborator reports whether the account user may write to repo
// (workspace/slug): its permission there, direct, through a group or
// through the repository's project, is write or admin. GET
// /2.0/workspaces/{workspace}/permissions/repositories/{slug}
// ?q=user.account_id="..." (the token needs workspace admin rights to
// read other users' permissions).
func (p *Provider) IsCollaborator(ctx context.Context, repo, user string) (bool, error) {
	workspace, slug, ok := strings.Cut(repo, "/")
	if !ok || user == "" {
		return false, fmt.Errorf("provider/bitbucketcloud: is %q a collaborator of %q: repository is not workspace/slug", user, repo)
	}
	perms, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]string, *scm.Response, error) {
		return p.permissionsPage(ctx, workspace, slug, user, opts)
	})
	if err != nil {
		return false, fmt.Errorf("provider/bitbucketcloud: is %s a collaborator of %s: %w", user, repo, err)
	}
	for _, perm := range perms {
		if perm == "write" || perm == "admin" {
			return true, nil
		}
	}
	return false, nil
}

// permissionsPage reads one page of user's permissions on a repository.
func (p *Provider) permissionsPage(ctx context.Context, workspace, slug, user string, opts *scm.ListOptions) ([]string, *scm.Response, error) {
	query := url.Values{
		"q":    {fmt.Sprintf("user.account_id=%q", user)},
		"page": {strconv.Itoa(opts.Page)}, "pagelen": {strconv.Itoa(opts.Size)},
	}
	path := "2.0/workspaces/" + url.PathEscape(workspace) + "/permissions/repositories/" + url.PathEscape(slug) + "?" + query.Encode()
	var page permissionPage
	res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &page)
	if err != nil {
		return nil, res, err
	}
	res.Page.Next = nextPage(page.Next)
	var perms []string
	for _, v := range page.Values {
		if v.User.AccountID == user {
			perms = append(perms, v.Permission)
		}
	}
	return perms, res, nil
}
