package dispatch

import (
	"slices"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/all" // registers every built-in plugin
	"github.com/fresnel-ci/fresnel/triggers"
)

// ImplementedPlugins names the plugins fresnel runs, for the plugins.yaml
// loader: enabling any other is a warning. trigger is carried out here,
// in dispatch; the others are those pkg/plugins registers.
func ImplementedPlugins() []string {
	names := plugins.Names()
	if !slices.Contains(names, triggers.TriggerPlugin) {
		names = append(names, triggers.TriggerPlugin)
	}
	return names
}
