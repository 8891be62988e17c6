package github

import (
	"context"
	"fmt"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

var _ providers.OpenPullRequestLister = (*Provider)(nil)

// OpenPullRequests lists repo's open pull requests updated at or after
// since, at most scmhook.MaxPages pages, as synchronize events.
func (p *Provider) OpenPullRequests(ctx context.Context, repo string, since time.Time) ([]event.Event, error) {
	evs, err := scmhook.OpenPullRequests(ctx, p.SCM, repo, since)
	if err != nil {
		return evs, fmt.Errorf("provider/github: %w", err)
	}
	return evs, nil
}
