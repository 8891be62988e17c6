package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.Redeliverer = (*Provider)(nil)

// Bounds of one look at a hook's failed events: pages of eventPageSize,
// newest first, at most maxEventPages of them.
const (
	eventPageSize = 100
	maxEventPages = 3
)

// hookEvent is one entry of GitLab's hook events list (GitLab 17.4+).
// It has no time: GitLab keeps a hook's events for a few days.
type hookEvent struct {
	ID             int64  `json:"id"`
	Trigger        string `json:"trigger"`
	ResponseStatus string `json:"response_status"`
}

// projectHook is one entry of a project's webhooks list.
type projectHook struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// Redeliver resends the events of repo's hook at hookPath that GitLab
// lists as server failures (GET .../hooks/{id}/events?status=server_failure,
// POST .../events/{event id}/resend), each once per process. GitLab's
// list carries no time, so since is not used: the newest maxEventPages
// pages of failures are looked at. GitLab before 17.4 has no such API:
// the error then wraps providers.ErrNotFound.
func (p *Provider) Redeliver(ctx context.Context, repo, hookPath string, _ time.Time) (int, error) {
	hookID, err := p.findHook(ctx, repo, hookPath)
	if err != nil {
		return 0, fmt.Errorf("provider/gitlab: resend %s: %w", repo, err)
	}
	failed, err := p.failedEvents(ctx, repo, hookID)
	if err != nil {
		return 0, fmt.Errorf("provider/gitlab: resend %s: %w", repo, err)
	}
	asked := 0
	for _, ev := range failed {
		key := fmt.Sprintf("%s|%d|%d", repo, hookID, ev.ID)
		if _, done := p.resent.Load(key); done {
			continue
		}
		path := projectPath(repo, "hooks", hookID, "events", ev.ID, "resend")
		if _, err := scmclient.Do(ctx, p.SCM, http.MethodPost, path, nil, nil); err != nil {
			return asked, fmt.Errorf("provider/gitlab: resend %s hook event %d: %w", repo, ev.ID, err)
		}
		p.resent.Store(key, true)
		asked++
	}
	return asked, nil
}

// findHook lists repo's webhooks and returns the id of the one whose URL
// path ends in hookPath.
func (p *Provider) findHook(ctx context.Context, repo, hookPath string) (int64, error) {
	var hooks []projectHook
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(repo, "hooks")+"?per_page=100", nil, &hooks); err != nil {
		return 0, fmt.Errorf("list hooks: %w", err)
	}
	for _, h := range hooks {
		u, err := url.Parse(h.URL)
		if err == nil && strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), hookPath) {
			return h.ID, nil
		}
	}
	return 0, fmt.Errorf("no hook of %s delivers to a URL ending in %s: %w", repo, hookPath, providers.ErrNotFound)
}

// failedEvents lists the hook's server failures, newest first, at most
// maxEventPages pages.
func (p *Provider) failedEvents(ctx context.Context, repo string, hookID int64) ([]hookEvent, error) {
	var out []hookEvent
	for page := 1; page <= maxEventPages; page++ {
		var batch []hookEvent
		q := fmt.Sprintf("?status=server_failure&per_page=%d&page=%d", eventPageSize, page)
		_, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(repo, "hooks", hookID, "events")+q, nil, &batch)
		var apiErr *scmclient.APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			return nil, fmt.Errorf("list hook events (GitLab 17.4 or later has them): %w: %w", providers.ErrNotFound, err)
		}
		if err != nil {
			return nil, fmt.Errorf("list hook events: %w", err)
		}
		out = append(out, batch...)
		if len(batch) < eventPageSize {
			break
		}
	}
	return out, nil
}
