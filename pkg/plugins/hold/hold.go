// Package hold is the hold plugin: /hold keeps a pull request from
// merging with the do-not-merge/hold label; /hold cancel and /unhold
// release it.
package hold

import (
	"context"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
)

// Label is the label /hold sets.
const Label = "do-not-merge/hold"

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "hold",
		Description: "Keeps a pull request from merging until the hold is cancelled.",
		Commands: []plugins.Command{
			{Name: "hold", Args: `|(cancel)`, Who: "anyone",
				Help: "Adds the do-not-merge/hold label; /hold cancel removes it.", Examples: []string{"/hold", "/hold cancel"}, Run: run, ChangesState: true},
			{Name: "unhold", Who: "anyone",
				Help: "Removes the do-not-merge/hold label.", Examples: []string{"/unhold"}, Run: release, ChangesState: true},
		},
	})
}

func run(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	if inv.Match[1] != "" {
		return release(ctx, a, inv)
	}
	changed, err := a.SetLabel(ctx, Label, true)
	if err != nil || !changed {
		return "already on hold", err
	}
	return "added " + Label, nil
}

func release(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
	changed, err := a.SetLabel(ctx, Label, false)
	if err != nil || !changed {
		return "not on hold", err
	}
	return "removed " + Label, nil
}
