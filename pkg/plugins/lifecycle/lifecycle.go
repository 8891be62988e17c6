// Package lifecycle is the lifecycle plugin: /lifecycle frozen|stale|rotten
// and /remove-lifecycle set and clear lifecycle/* labels, /close and
// /reopen close and reopen the pull request.
package lifecycle

import (
	"context"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
)

// States are the lifecycle labels' suffixes.
var States = []string{"frozen", "stale", "rotten"}

func init() {
	states := `(` + strings.Join(States, "|") + `)`
	plugins.Register(plugins.Plugin{
		Name:        "lifecycle",
		Description: "Marks a pull request frozen, stale or rotten, and closes or reopens it.",
		Commands: []plugins.Command{
			{Name: "lifecycle", Args: states, Who: "anyone", ChangesState: true,
				Help: "Sets the lifecycle/<state> label, removing the other lifecycle labels.", Examples: []string{"/lifecycle frozen"}, Run: setState},
			{Name: "remove-lifecycle", Args: states, Who: "anyone", ChangesState: true,
				Help: "Removes the lifecycle/<state> label.", Examples: []string{"/remove-lifecycle stale"}, Run: removeState},
			{Name: "close", Who: "the author, collaborators and org members", ChangesState: true,
				Help: "Closes the pull request without merging it.", Examples: []string{"/close"}, Run: closeOrReopen(true)},
			{Name: "reopen", Who: "the author, collaborators and org members", ChangesState: true,
				Help: "Reopens a closed pull request.", Examples: []string{"/reopen"}, Run: closeOrReopen(false)},
		},
	})
}

func setState(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	state := strings.ToLower(inv.Match[1])
	for _, other := range States {
		if other == state {
			continue
		}
		if _, err := a.SetLabel(ctx, "lifecycle/"+other, false); err != nil {
			return "", err
		}
	}
	if _, err := a.SetLabel(ctx, "lifecycle/"+state, true); err != nil {
		return "", err
	}
	return "set lifecycle/" + state, nil
}

func removeState(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	label := "lifecycle/" + strings.ToLower(inv.Match[1])
	changed, err := a.SetLabel(ctx, label, false)
	if err != nil || !changed {
		return "no " + label + " to remove", err
	}
	return "removed " + label, nil
}

func closeOrReopen(close bool) func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
	return func(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
		closer, ok := a.SCM.(providers.PullRequestCloser)
		if !ok {
			return "", plugins.Refuse("fresnel cannot close or reopen pull requests on %s.", a.Event.Provider)
		}
		user := a.User()
		if err := a.RequireAuthorOrTrusted(ctx, user, "close or reopen a pull request they did not open"); err != nil {
			return "", err
		}
		if close {
			if err := closer.ClosePullRequest(ctx, a.Target()); err != nil {
				return "", plugins.Wrap("lifecycle: close", err)
			}
			return "closed", nil
		}
		if err := closer.ReopenPullRequest(ctx, a.Target()); err != nil {
			return "", plugins.Wrap("lifecycle: reopen", err)
		}
		return "reopened", nil
	}
}
