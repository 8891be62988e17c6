package plugins

import (
	"slices"

	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultPlugins are enabled when plugins.yaml has no plugins: map, or
// there is no plugins.yaml: only trigger, so /test and /retest work as
// they did before plugins were read, and nothing else changes a pull
// request unless plugins.yaml asks for it. With a map, a repository no
// entry covers has no plugins at all, as in Prow.
var DefaultPlugins = []string{"trigger"}

// EnabledFor lists the plugins file enables for repo (owner/name, or a
// GitLab group path/name), resolved by plugins.yaml's own loader: the
// org's and every enclosing group's (unless the entry excludes repo) and
// the repo's own; DefaultPlugins when file has no plugins: map.
func EnabledFor(file *triggers.PluginsFile, repo string) []string {
	if !file.HasEnableMap() {
		return slices.Clone(DefaultPlugins)
	}
	return file.Enabled(repo)
}

// IsEnabled reports whether plugin name is enabled for repo.
func IsEnabled(file *triggers.PluginsFile, repo, name string) bool {
	return slices.Contains(EnabledFor(file, repo), name)
}
