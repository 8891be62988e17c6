package external

import (
	"slices"

	"github.com/fresnel-ci/fresnel/triggers"
)

// Match returns the plugins of byScope that receive an event named by any
// of names on repo: those listed under the repo itself or any enclosing
// org or group, whose events list is empty or names the event. A plugin
// listed under more than one scope (same name and endpoint) is returned
// once.
func Match(byScope map[string][]triggers.ExternalPlugin, repo string, names []string) []triggers.ExternalPlugin {
	var out []triggers.ExternalPlugin
	scopes := triggers.Scopes(repo)
	for i := len(scopes) - 1; i >= 0; i-- {
		for _, p := range byScope[scopes[i]] {
			if wants(p, names) && !listed(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func wants(p triggers.ExternalPlugin, names []string) bool {
	if len(p.Events) == 0 {
		return true
	}
	for _, n := range names {
		if slices.Contains(p.Events, n) {
			return true
		}
	}
	return false
}

func listed(ps []triggers.ExternalPlugin, p triggers.ExternalPlugin) bool {
	return slices.ContainsFunc(ps, func(q triggers.ExternalPlugin) bool {
		return q.Name == p.Name && q.Endpoint == p.Endpoint
	})
}
