package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.TeamChecker = (*Provider)(nil)

// IsTeamMember asks GET /orgs/{org}/teams/{team}/memberships/{user}: an
// answer whose state is "active" is a member; 404, or a pending
// invitation, is not.
func (p *Provider) IsTeamMember(ctx context.Context, org, team, user string) (bool, error) {
	if org == "" || team == "" || user == "" {
		return false, nil
	}
	var membership struct {
		State string `json:"state"`
	}
	path := fmt.Sprintf("orgs/%s/teams/%s/memberships/%s", url.PathEscape(org), url.PathEscape(team), url.PathEscape(user))
	_, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &membership)
	var apiErr *scmclient.APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("provider/github: is %s in team %s/%s: %w", user, org, team, err)
	}
	return membership.State == "active", nil
}
