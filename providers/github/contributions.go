package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var (
	_ providers.LineCounter         = (*Provider)(nil)
	_ providers.ContributionCounter = (*Provider)(nil)
)

// ChangedLines reads a pull request's additions and deletions (GET
// /repos/{repo}/pulls/{number}); go-scm's pull request drops both, so
// the call is ours.
func (p *Provider) ChangedLines(ctx context.Context, target event.Target) (additions, deletions int, err error) {
	var pr struct {
		Additions *int `json:"additions"`
		Deletions *int `json:"deletions"`
	}
	path := fmt.Sprintf("repos/%s/pulls/%d", target.Repo, target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &pr); err != nil {
		return 0, 0, fmt.Errorf("provider/github: read %s#%d: %w", target.Repo, target.Number, err)
	}
	if pr.Additions == nil || pr.Deletions == nil {
		return 0, 0, fmt.Errorf("provider/github: %s#%d: the answer has no additions or deletions", target.Repo, target.Number)
	}
	return *pr.Additions, *pr.Deletions, nil
}

// PullRequestCount counts user's pull requests in repo, in any state, with
// the search API (GET /search/issues?q=is:pr repo:R author:U), as Prow's
// welcome plugin asks.
func (p *Provider) PullRequestCount(ctx context.Context, repo, user string) (int, error) {
	q := url.Values{"q": {fmt.Sprintf("is:pr repo:%s author:%s", repo, user)}, "per_page": {"1"}}
	var found struct {
		TotalCount *int `json:"total_count"`
	}
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, "search/issues?"+q.Encode(), nil, &found); err != nil {
		return 0, fmt.Errorf("provider/github: count pull requests of %s in %s: %w", user, repo, err)
	}
	if found.TotalCount == nil {
		return 0, fmt.Errorf("provider/github: count pull requests of %s in %s: the answer has no total_count", user, repo)
	}
	return *found.TotalCount, nil
}
