package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.ContributionCounter = (*Provider)(nil)

// PullRequestCount counts user's merge requests in repo, in any state:
// GET .../merge_requests?author_username=U&state=all&per_page=2, whose
// X-Total header GitLab sets to the number of all matches. GitLab leaves
// the header out past 10,000 matches; then the count is the page's, at
// most 2, which still tells a first contribution from a later one.
func (p *Provider) PullRequestCount(ctx context.Context, repo, user string) (int, error) {
	q := url.Values{"author_username": {user}, "state": {"all"}, "per_page": {"2"}}
	var page []struct {
		IID int `json:"iid"`
	}
	res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(repo, "merge_requests")+"?"+q.Encode(), nil, &page)
	if err != nil {
		return 0, fmt.Errorf("provider/gitlab: count merge requests of %s in %s: %w", user, repo, err)
	}
	total := res.Header.Get("X-Total")
	if total == "" {
		return len(page), nil
	}
	n, err := strconv.Atoi(total)
	if err != nil {
		return 0, fmt.Errorf("provider/gitlab: count merge requests of %s in %s: X-Total %q: %w", user, repo, total, err)
	}
	return n, nil
}
