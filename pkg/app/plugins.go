package app

import (
	"context"
	"fmt"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/all" // registers every built-in plugin
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// pluginRunner runs the plugins plugins.yaml enables, reading the file in
// force for each event (it is hot reloaded with the jobs), deciding who
// is trusted as the trigger does, with the trigger's decider (one cache of
// membership answers for both) and fresnel's own login on the instance.
func (a *App) pluginRunner(runs plugins.RunCanceller, decider *trust.Decider) *plugins.Runner {
	return &plugins.Runner{
		Config: func() *triggers.PluginsFile { return a.Jobs().Plugins },
		Runs:   runs,
		Log:    a.Log,
		Trusted: func(ctx context.Context, scm any, ev event.Event, user string) (bool, error) {
			checker, ok := scm.(providers.TrustChecker)
			if !ok {
				return false, fmt.Errorf("app: %s cannot check who may use commands", ev.Provider)
			}
			in := providers.Instance{Config: providers.Config{Kind: ev.Provider, Name: ev.Instance}}
			q := trust.Query{Instance: ev.Provider + "/" + ev.Instance, Repo: ev.Repo.FullName, User: user, Bot: a.botUser(in)}
			dec, err := decider.User(ctx, checker, a.Jobs().Plugins.TriggerFor(ev.Repo.FullName), q)
			return dec.Trusted, err
		},
	}
}
