package cli

import (
	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/triggers"
)

// loadPlugins reads plugins.yaml with the loader the service uses. A file
// without a plugins: map gets a warning: fresnel then runs the trigger
// plugin for every repo, where Prow would run none.
func loadPlugins(path string) (*triggers.Plugins, triggers.Problems) {
	p, problems := triggers.LoadPlugins(path, dispatch.ImplementedPlugins())
	if p != nil && !p.HasEnableMap() {
		problems = append(problems, triggers.Problem{File: path, Line: 1, Severity: triggers.SeverityWarning,
			Message: "no plugins: map: fresnel runs the trigger plugin (jobs, /test, /retest) for every repo; add one to choose where it runs"})
	}
	return p, problems
}

// checkPlugins returns the problems of plugins.yaml, as the service would
// find them.
func checkPlugins(path string) triggers.Problems {
	_, problems := loadPlugins(path)
	return problems
}
