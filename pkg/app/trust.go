package app

import (
	"cmp"

	"github.com/fresnel-ci/fresnel/providers"
)

// botUser returns fresnel's own login on an instance: its settings'
// botUser, else the user its API token goes with; "" when neither is set.
func (a *App) botUser(in providers.Instance) string {
	for _, p := range a.Settings.Providers {
		if p.Kind == in.Kind && p.Name == in.Name {
			return cmp.Or(p.BotUser, p.Username)
		}
	}
	return ""
}
