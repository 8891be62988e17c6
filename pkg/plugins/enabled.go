package plugins

import (
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultPlugins are enabled when plugins.yaml has no plugins: map, or
// there is no plugins.yaml: only trigger, so /test and /retest work as
// they did before plugins were read, and nothing else changes a pull
// request unless plugins.yaml asks for it. With a map, a repository no
// entry covers has no plugins at all, as in Prow.
var DefaultPlugins = []string{"trigger"}

// EnabledFor lists the plugins file enables for repo (owner/name, or a
// GitLab group path/name): those of the org and of every enclosing group
// (unless the entry lists repo in excluded_repos), and those of the repo's
// own entry, in that order without duplicates.
func EnabledFor(file *triggers.PluginsFile, repo string) []string {
	if file == nil || file.Plugins == nil {
		return slices.Clone(DefaultPlugins)
	}
	names := []string{}
	for _, scope := range scopes(repo) {
		entry, ok := file.Plugins[scope]
		if !ok || scope != repo && excluded(entry, scope, repo) {
			continue
		}
		for _, n := range entry.Plugins {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// scopes lists repo's outermost group first and repo itself last:
// "a/b/c" gives a, a/b, a/b/c.
func scopes(repo string) []string {
	parts := strings.Split(repo, "/")
	out := make([]string, 0, len(parts))
	for i := range parts {
		out = append(out, strings.Join(parts[:i+1], "/"))
	}
	return out
}

// IsEnabled reports whether plugin name is enabled for repo.
func IsEnabled(file *triggers.PluginsFile, repo, name string) bool {
	return slices.Contains(EnabledFor(file, repo), name)
}

// excluded reports whether an org or group entry excludes repo, named
// relative to the entry ("widgets") or in full ("acme/widgets").
func excluded(entry triggers.OrgPlugins, scope, repo string) bool {
	return slices.Contains(entry.ExcludedRepos, strings.TrimPrefix(repo, scope+"/")) || slices.Contains(entry.ExcludedRepos, repo)
}

// ForRepo returns the entry of a plugins.yaml list section (lgtm:,
// approve:, ...) that applies to repo: the one naming the repo, else the
// one naming its nearest enclosing group or org.
func ForRepo[T any](entries []T, repos func(T) []string, repo string) (T, bool) {
	s := scopes(repo)
	for i := len(s) - 1; i >= 0; i-- {
		for _, e := range entries {
			if slices.Contains(repos(e), s[i]) {
				return e, true
			}
		}
	}
	var zero T
	return zero, false
}
