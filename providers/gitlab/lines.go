package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.LineCounter = (*Provider)(nil)

// maxDiffPages bounds how many pages of a merge request's diffs are read.
const maxDiffPages = 30

// ChangedLines counts the lines a merge request adds and deletes from its
// diffs (GET .../merge_requests/{iid}/diffs, every page): GitLab's merge
// request has no such totals. A diff GitLab cut for size (too_large,
// collapsed) counts what it shows.
func (p *Provider) ChangedLines(ctx context.Context, target event.Target) (additions, deletions int, err error) {
	for page := 1; page > 0 && page <= maxDiffPages; {
		var diffs []struct {
			Diff string `json:"diff"`
		}
		q := url.Values{"per_page": {"100"}, "page": {strconv.Itoa(page)}}
		path := projectPath(target.Repo, "merge_requests", target.Number, "diffs") + "?" + q.Encode()
		res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &diffs)
		if err != nil {
			return 0, 0, fmt.Errorf("provider/gitlab: diffs of %s!%d: %w", target.Repo, target.Number, err)
		}
		for _, d := range diffs {
			a, d := countLines(d.Diff)
			additions, deletions = additions+a, deletions+d
		}
		page, _ = strconv.Atoi(res.Header.Get("X-Next-Page"))
	}
	return additions, deletions, nil
}

// countLines counts the added and deleted lines of one unified diff
// (GitLab's diff field starts at the first hunk, without file headers).
func countLines(diff string) (added, deleted int) {
	for _, line := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
		case strings.HasPrefix(line, "+"):
			added++
		case strings.HasPrefix(line, "-"):
			deleted++
		}
	}
	return added, deleted
}
