package github

import (
	"context"
	"fmt"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Reporting goes through the embedded scmclient.Client: commit statuses
// (POST /repos/{owner}/{repo}/statuses/{sha}), issue comments, the pull
// request's files and the pull request itself. An instance that acts as a
// GitHub App reports check runs instead (checks.go), and both mark the
// contexts of jobs that did not need to run as skipped. A controller that
// takes over reads a commit's statuses back (LatestStatus) so that it does
// not send again what its predecessor sent.

var _ providers.StatusReader = (*Provider)(nil)

// statusPage is how many of a commit's newest statuses LatestStatus reads:
// GitHub's largest page, far more than one commit's contexts.
const statusPage = 100

// fromSCMState maps go-scm's reading of GitHub's status states back.
var fromSCMState = map[scm.State]providers.State{
	scm.StatePending: providers.StatePending,
	scm.StateSuccess: providers.StateSuccess,
	scm.StateFailure: providers.StateFailure,
	scm.StateError:   providers.StateError,
}

// LatestStatus reads the newest status of context on ref's commit (GET
// /repos/{owner}/{repo}/statuses/{sha}, newest first), among the
// commit's newest statusPage statuses.
func (p *Provider) LatestStatus(ctx context.Context, ref event.CommitRef, context string) (providers.Status, bool, error) {
	list, _, err := p.SCM.Repositories.ListStatus(ctx, ref.Repo, ref.SHA, &scm.ListOptions{Page: 1, Size: statusPage})
	if err != nil {
		return providers.Status{}, false, fmt.Errorf("provider/github: list statuses of %s@%s: %w", ref.Repo, ref.SHA, err)
	}
	for _, s := range list {
		if s.Label == context {
			return providers.Status{State: fromSCMState[s.State], Context: s.Label, Description: s.Desc, TargetURL: s.Target}, true, nil
		}
	}
	return providers.Status{}, false, nil
}
