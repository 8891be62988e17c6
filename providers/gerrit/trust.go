package gerrit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gogerrit "github.com/andygrunwald/go-gerrit"
)

// DefaultTrustedGroup is the group trusted when the instance names none.
// Registered Users, which any account is in, is never a safe default.
const DefaultTrustedGroup = "Administrators"

// groupList splits the trustedGroups option: group names or UUIDs,
// separated by commas.
func groupList(s string) []string {
	var groups []string
	for _, g := range strings.Split(s, ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}

// IsOrgMember reports whether user (a username or, for accounts without
// one, an email, as events name them) is a member of the Gerrit group
// named org, directly or through an included group:
// GET /a/groups/{group}/members/?recursive. A group Gerrit does not know,
// or does not show to fresnel's account, has no members. An empty org
// means the instance's trusted groups.
func (p *Provider) IsOrgMember(ctx context.Context, org, user string) (bool, error) {
	if org == "" {
		return p.inTrustedGroup(ctx, user)
	}
	ok, err := p.isGroupMember(ctx, org, user)
	if err != nil {
		return false, fmt.Errorf("provider/gerrit: is %s a member of group %s: %w", user, org, err)
	}
	return ok, nil
}

// IsCollaborator reports whether user is a member of one of the instance's
// trusted groups (option trustedGroups): Gerrit has no cheap per-project
// list of who may push, so the project does not narrow the answer.
func (p *Provider) IsCollaborator(ctx context.Context, _, user string) (bool, error) {
	return p.inTrustedGroup(ctx, user)
}

func (p *Provider) inTrustedGroup(ctx context.Context, user string) (bool, error) {
	for _, group := range p.opts.TrustedGroups {
		ok, err := p.isGroupMember(ctx, group, user)
		if err != nil {
			return false, fmt.Errorf("provider/gerrit: is %s in trusted group %s: %w", user, group, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

func (p *Provider) isGroupMember(ctx context.Context, group, user string) (bool, error) {
	if user == "" {
		return false, nil
	}
	opts := &gogerrit.ListGroupMembersOptions{Recursive: true}
	members, resp, err := p.client.Groups.ListGroupMembers(ctx, url.PathEscape(group), opts)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, m := range *members {
		if m.Username == user || (m.Username == "" && m.Email != "" && m.Email == user) {
			return true, nil
		}
	}
	return false, nil
}
