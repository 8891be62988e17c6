package github

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.CheckFinder = (*AppProvider)(nil)

// checkRunList is the answer of GET .../commits/{ref}/check-runs.
type checkRunList struct {
	CheckRuns []struct {
		ID         int64     `json:"id"`
		ExternalID string    `json:"external_id"`
		StartedAt  time.Time `json:"started_at"`
	} `json:"check_runs"`
}

// FindCheck lists the check runs named context on ref's commit (GET
// /repos/{owner}/{repo}/commits/{sha}/check-runs?check_name=...&filter=all)
// and returns the newest that is job's (by its external_id) and began at
// since or later: a check run of an earlier run of the job on the same
// commit (a /retest) began before since and is left alone.
func (p *AppProvider) FindCheck(ctx context.Context, ref event.CommitRef, context, job string, since time.Time) (string, error) {
	query := url.Values{"check_name": {context}, "filter": {"all"}, "per_page": {"100"}}
	path := "repos/" + repoPath(ref.Repo) + "/commits/" + url.PathEscape(ref.SHA) + "/check-runs?" + query.Encode()
	var out checkRunList
	if _, err := scmclient.Do(ctx, p.SCM, "GET", path, nil, &out); err != nil {
		return "", fmt.Errorf("provider/github: list check runs %q on %s@%s: %w", context, ref.Repo, ref.SHA, err)
	}
	want := externalID(ref.Number, job)
	var newest int64
	for _, cr := range out.CheckRuns {
		if cr.ExternalID == want && !cr.StartedAt.Before(since.Truncate(time.Second)) && cr.ID > newest {
			newest = cr.ID
		}
	}
	if newest == 0 {
		return "", nil
	}
	return strconv.FormatInt(newest, 10), nil
}
