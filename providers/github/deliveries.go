package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.Redeliverer = (*Provider)(nil)

// Bounds of one look at a hook's deliveries: pages of deliveryPageSize,
// newest first, at most maxDeliveryPages of them.
const (
	deliveryPageSize = 100
	maxDeliveryPages = 10
)

// delivery is one entry of GitHub's hook deliveries list.
type delivery struct {
	ID           int64     `json:"id"`
	GUID         string    `json:"guid"`
	DeliveredAt  time.Time `json:"delivered_at"`
	Redelivery   bool      `json:"redelivery"`
	StatusCode   int       `json:"status_code"`
	Event        string    `json:"event"`
	RepositoryID *int64    `json:"repository_id"`
}

// hook is one entry of a repository's webhooks list.
type hook struct {
	ID     int64 `json:"id"`
	Active bool  `json:"active"`
	Config struct {
		URL string `json:"url"`
	} `json:"config"`
}

// Redeliver asks GitHub to redeliver repo's failed deliveries since since
// (POST .../deliveries/{id}/attempts). With an App it reads the App's
// hook (GET /app/hook/deliveries) and keeps those of repo; with a token
// it reads the repository hook whose URL ends in hookPath, or the one the
// instance's hookID option names.
func (p *Provider) Redeliver(ctx context.Context, repo, hookPath string, since time.Time) (int, error) {
	base, repoID, err := p.deliveriesBase(ctx, repo, hookPath)
	if err != nil {
		return 0, fmt.Errorf("provider/github: redeliver %s: %w", repo, err)
	}
	list, err := p.listDeliveries(ctx, base, since)
	if err != nil {
		return 0, fmt.Errorf("provider/github: redeliver %s: %w", repo, err)
	}
	asked := 0
	for _, d := range failedDeliveries(list, repoID) {
		path := fmt.Sprintf("%s/%d/attempts", base, d.ID)
		if _, err := scmclient.Do(ctx, p.SCM, http.MethodPost, path, nil, nil); err != nil {
			return asked, fmt.Errorf("provider/github: redeliver %s delivery %s: %w", repo, d.GUID, err)
		}
		asked++
	}
	return asked, nil
}

// deliveriesBase is the path of the deliveries list to read for repo,
// and the repository id to keep entries of (0 keeps all).
func (p *Provider) deliveriesBase(ctx context.Context, repo, hookPath string) (string, int64, error) {
	if p.opts.App != nil {
		var r struct {
			ID int64 `json:"id"`
		}
		if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, "repos/"+repo, nil, &r); err != nil {
			return "", 0, fmt.Errorf("read repository id: %w", err)
		}
		return "app/hook/deliveries", r.ID, nil
	}
	id := p.opts.HookID
	if id == 0 {
		var err error
		if id, err = p.findHook(ctx, repo, hookPath); err != nil {
			return "", 0, err
		}
	}
	return fmt.Sprintf("repos/%s/hooks/%d/deliveries", repo, id), 0, nil
}

// findHook lists repo's webhooks and returns the id of the active one
// whose URL path ends in hookPath.
func (p *Provider) findHook(ctx context.Context, repo, hookPath string) (int64, error) {
	var hooks []hook
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, "repos/"+repo+"/hooks?per_page=100", nil, &hooks); err != nil {
		return 0, fmt.Errorf("list hooks: %w", err)
	}
	for _, h := range hooks {
		u, err := url.Parse(h.Config.URL)
		if err == nil && h.Active && strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), hookPath) {
			return h.ID, nil
		}
	}
	return 0, fmt.Errorf("no active hook of %s delivers to a URL ending in %s: %w", repo, hookPath, providers.ErrNotFound)
}

// listDeliveries reads the deliveries at base, newest first, until one
// older than since or maxDeliveryPages pages.
func (p *Provider) listDeliveries(ctx context.Context, base string, since time.Time) ([]delivery, error) {
	var out []delivery
	query := fmt.Sprintf("per_page=%d", deliveryPageSize)
	for page := 0; page < maxDeliveryPages && query != ""; page++ {
		var batch []delivery
		res, err := scmclient.Do(ctx, p.SCM, http.MethodGet, base+"?"+query, nil, &batch)
		if err != nil {
			return out, fmt.Errorf("list deliveries: %w", err)
		}
		for _, d := range batch {
			if d.DeliveredAt.Before(since) {
				return out, nil
			}
			out = append(out, d)
		}
		query = nextQuery(res.Header.Get("Link"))
	}
	return out, nil
}

var nextLink = regexp.MustCompile(`<([^>]*)>;\s*rel="next"`)

// nextQuery is the query of the Link header's next page (GitHub pages
// deliveries with a cursor), "" on the last page.
func nextQuery(link string) string {
	m := nextLink.FindStringSubmatch(link)
	if m == nil {
		return ""
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return ""
	}
	return u.RawQuery
}

// failedDeliveries keeps, once per delivery guid, the first attempt of
// those that never succeeded (no 2xx attempt listed), of repository
// repoID when it is not 0.
func failedDeliveries(list []delivery, repoID int64) []delivery {
	succeeded := map[string]bool{}
	for _, d := range list {
		if d.StatusCode >= 200 && d.StatusCode < 300 {
			succeeded[d.GUID] = true
		}
	}
	seen := map[string]bool{}
	var out []delivery
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		d := list[i]
		if succeeded[d.GUID] || seen[d.GUID] || (repoID != 0 && (d.RepositoryID == nil || *d.RepositoryID != repoID)) {
			continue
		}
		seen[d.GUID] = true
		out = append(out, d)
	}
	return out
}
