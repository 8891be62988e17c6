// Package cancel is the cancel plugin: /cancel stops the pull request's
// unfinished runs, /cancel <job> only that job's.
package cancel

import (
	"context"
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
)

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "cancel",
		Description: "Stops a pull request's unfinished runs.",
		Commands: []plugins.Command{{
			Name: "cancel", Args: `([\w./-]+)?`, Who: "the author, collaborators and org members", ChangesState: true,
			Help:     "Cancels the pull request's unfinished presubmit runs, or only those of the job named.",
			Examples: []string{"/cancel", "/cancel pull-widgets-e2e"}, Run: run,
		}},
	})
}

func run(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	user := a.User()
	if err := a.RequireAuthorOrTrusted(ctx, user, "cancel runs of a pull request they did not open"); err != nil {
		return "", err
	}
	if a.Runs == nil {
		return "", fmt.Errorf("cancel: this fresnel cannot cancel runs")
	}
	job := inv.Match[1]
	names, err := a.Runs.CancelPullRequestRuns(ctx, a.Event, job, "cancelled by /cancel from @"+user)
	if err != nil {
		return "", fmt.Errorf("cancel: %w", err)
	}
	if len(names) == 0 {
		return "", plugins.Refuse("there is no unfinished run%s to cancel.", of(job))
	}
	return "cancelled " + strings.Join(names, ", "), nil
}

func of(job string) string {
	if job == "" {
		return ""
	}
	return " of " + job
}
