package triggers

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// Plugins is one plugins.yaml as LoadPlugins reads it: the enable map and
// every section fresnel knows. It is the same type as PluginsFile.
type Plugins = PluginsFile

// TriggerPlugin is the plugin that starts jobs: a repo runs jobs only
// where plugins.yaml enables it (or has no enable map at all).
const TriggerPlugin = "trigger"

// LoadPlugins reads and checks the plugins.yaml at path, as the service,
// checkconfig and explain all do. implemented names the plugins fresnel
// runs: a plugin enabled in the file but not among them, and a section
// that configures none of them, is a warning. Malformed YAML and values of
// the wrong type are errors. Every problem has its file and line; the
// result is nil when there is an error.
func LoadPlugins(path string, implemented []string) (*Plugins, Problems) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Problems{{File: path, Severity: SeverityError, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	return ParsePlugins(data, path, implemented)
}

// ParsePlugins reads one plugins.yaml document; source names it in
// problems. See LoadPlugins.
func ParsePlugins(data []byte, source string, implemented []string) (*Plugins, Problems) {
	r := &pluginsReader{source: source, implemented: implemented, p: &Plugins{}}
	r.read(data)
	r.problems.Sort()
	if r.problems.Err() != nil {
		return nil, r.problems
	}
	return r.p, r.problems
}

// pluginsReader collects what one plugins.yaml holds and its problems.
type pluginsReader struct {
	source      string
	implemented []string
	p           *Plugins
	problems    Problems
}

func (r *pluginsReader) problem(line int, sev Severity, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: r.source, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (r *pluginsReader) read(data []byte) {
	root, nodeErr := parseNodes(data)
	if root != nil && root.Kind != yaml.MappingNode {
		r.problem(root.Line, SeverityError, "plugins.yaml must be a mapping (plugins:, triggers:, ...)")
		return
	}
	var top map[string]json.RawMessage
	if err := cmp.Or(nodeErr, sigsyaml.Unmarshal(data, &top)); err != nil {
		l := newLoader()
		l.syntaxError(r.source, data, err)
		r.problems = append(r.problems, l.problems...)
		return
	}
	for _, d := range duplicateKeys(root) {
		r.problem(d.line, SeverityError, "key %q is defined twice (first on line %d)", d.key, d.first)
	}
	for i := 0; root != nil && i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], resolve(root.Content[i+1])
		if raw, ok := top[key.Value]; ok {
			r.section(key, value, raw)
		}
	}
}

// section reads one top-level key of the file.
func (r *pluginsReader) section(key, value *yaml.Node, raw json.RawMessage) {
	if key.Value == "plugins" {
		r.enableMap(value, raw)
		return
	}
	field, ok := r.field(key.Value)
	if !ok {
		r.problem(key.Line, SeverityWarning, "section %q is not read by fresnel (a plugin it does not implement, or a misspelling); it is ignored", key.Value)
		return
	}
	r.decode(key.Value, value, raw, field.Addr().Interface())
	if users := sectionPlugins[key.Value]; len(users) > 0 && !r.anyImplemented(users) {
		r.problem(key.Line, SeverityWarning, "section %q configures %s, which fresnel does not implement; it is ignored", key.Value, strings.Join(users, ", "))
	}
}

// sectionPlugins names the plugins that read each section fresnel knows.
var sectionPlugins = map[string][]string{
	"external_plugins": nil, // forwarded by pkg/plugins/external
	"triggers":         {TriggerPlugin},
	"lgtm":             {"lgtm"},
	"approve":          {"approve"},
	"owners":           {"approve", "blunderbuss", "owners-label"},
	"label":            {"label"},
	"size":             {"size"},
	"blunderbuss":      {"blunderbuss"},
	"welcome":          {"welcome"},
	"override":         {"override"},
}

func (r *pluginsReader) anyImplemented(names []string) bool {
	for _, n := range names {
		if slices.Contains(r.implemented, n) {
			return true
		}
	}
	return false
}

// field returns the field of the file that section key decodes into.
func (r *pluginsReader) field(key string) (reflect.Value, bool) {
	v := reflect.ValueOf(r.p).Elem()
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// decode fills into from a section's JSON strictly. A field fresnel does
// not know is a warning and is dropped; a value of the wrong type is an
// error on its line.
func (r *pluginsReader) decode(section string, node *yaml.Node, raw json.RawMessage, into any) {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		r.problem(lineOf(node, ""), SeverityError, "%s: %v", section, err)
		return
	}
	removed := map[string]bool{}
	for {
		data, _ := json.Marshal(generic)
		err := decodeStrict(data, into)
		if err == nil {
			return
		}
		bad := decodeFinding(err)
		if bad.key == "" || removed[bad.key] || !removeKey(generic, bad.key) {
			r.problem(cmp.Or(lineOf(node, bad.field), node.Line), SeverityError, "%s: %s", section, bad.msg)
			return
		}
		removed[bad.key] = true
		r.problem(cmp.Or(keyLine(node, bad.key), node.Line), SeverityWarning, "%s: field %q is not read by fresnel; it is ignored", section, bad.key)
	}
}

func decodeStrict(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(into)
}

// enableMap reads the plugins: map. Its shape is checked on the YAML
// nodes, so that each bad entry and each plugin fresnel does not run is
// placed on its own line; then it is decoded.
func (r *pluginsReader) enableMap(n *yaml.Node, raw json.RawMessage) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		r.problem(n.Line, SeverityError, "plugins must map an org, org/repo or group to its plugins")
		return
	}
	before := len(r.problems)
	for i := 0; i+1 < len(n.Content); i += 2 {
		r.orgPlugins(n.Content[i].Value, resolve(n.Content[i+1]))
	}
	if Problems(r.problems[before:]).Err() != nil {
		return
	}
	if err := json.Unmarshal(raw, &r.p.Plugins); err != nil {
		r.problem(n.Line, SeverityError, "plugins: %v", err)
	}
}

// orgPlugins checks the entry of one org, repo or group: a list of plugin
// names (Prow's older form) or {plugins: [...], excluded_repos: [...]}.
func (r *pluginsReader) orgPlugins(scope string, n *yaml.Node) {
	switch n.Kind {
	case yaml.SequenceNode:
		r.names(scope+" plugins", n, true)
		return
	case yaml.MappingNode:
	default:
		r.problem(n.Line, SeverityError, "plugins of %s: want a list of plugin names or {plugins: [...], excluded_repos: [...]}", scope)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], resolve(n.Content[i+1])
		switch key.Value {
		case "plugins":
			r.names(scope+" plugins", value, true)
		case "excluded_repos":
			r.names(scope+" excluded_repos", value, false)
		default:
			r.problem(key.Line, SeverityError, "plugins of %s: unknown field %q (want plugins or excluded_repos)", scope, key.Value)
		}
	}
}

// names checks a list of names; plugin names fresnel does not run are
// warnings.
func (r *pluginsReader) names(what string, n *yaml.Node, plugins bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.SequenceNode {
		r.problem(n.Line, SeverityError, "%s: want a list of names", what)
		return
	}
	for _, item := range n.Content {
		item = resolve(item)
		switch {
		case item.Kind != yaml.ScalarNode || item.Value == "":
			r.problem(item.Line, SeverityError, "%s: want a name", what)
		case plugins && !slices.Contains(r.implemented, item.Value):
			r.problem(item.Line, SeverityWarning, "%s: %s", what, notImplemented(item.Value))
		}
	}
}

// notImplemented says why a plugin name is ignored.
func notImplemented(name string) string {
	if prowPlugins[name] {
		return fmt.Sprintf("plugin %q is a Prow plugin fresnel does not implement; it is ignored", name)
	}
	return fmt.Sprintf("unknown plugin %q (a misspelling?); it is ignored", name)
}

// prowPlugins are the plugin names Prow and Lighthouse know, so that a
// plugin fresnel lacks is told apart from a misspelt one.
var prowPlugins = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`approve assign blockade blunderbuss branchcleaner bugzilla buildifier
		cat cherry-pick-approved cherry-pick-unapproved cla config-updater dco dog golint goose heart help
		hold invalidcommitmsg issue-management jira label lgtm lifecycle merge-method-comment
		mergecommitblocker milestone milestoneapplier milestonestatus override owners-label pony project
		project-manager release-note require-matching-label retitle reward-owners rifle shrug sigmention
		size skip slackevents stage testfreeze trick-or-treat trigger verify-owners welcome wip yuks`) {
		prowPlugins[name] = true
	}
}

// UnmarshalJSON reads both of Prow's forms of an enable-map entry: a list
// of plugin names, or {plugins: [...], excluded_repos: [...]}.
func (o *OrgPlugins) UnmarshalJSON(data []byte) error {
	var names []string
	if err := json.Unmarshal(data, &names); err == nil {
		*o = OrgPlugins{Plugins: names}
		return nil
	}
	type plain OrgPlugins
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("triggers: plugins entry: %w", err)
	}
	*o = OrgPlugins(p)
	return nil
}

// HasEnableMap reports whether the file has a plugins: map. Without one,
// every repo runs the trigger plugin, as when there is no plugins.yaml.
func (p *Plugins) HasEnableMap() bool { return p != nil && p.Plugins != nil }

// Enabled returns the plugins enabled for repo (owner/name; on GitLab the
// full path, groups included), as Prow resolves them: each enclosing org
// or group's entry unless it excludes the repo, then the repo's own. Names
// are sorted and unique.
func (p *Plugins) Enabled(repo string) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, scope := range Scopes(repo) {
		entry, ok := p.Plugins[scope]
		if !ok || scope != repo && excludes(entry.ExcludedRepos, scope, repo) {
			continue
		}
		out = append(out, entry.Plugins...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsEnabled reports whether plugin name is enabled for repo.
func (p *Plugins) IsEnabled(repo, name string) bool {
	return slices.Contains(p.Enabled(repo), name)
}

// TriggerEnabled reports whether repo runs jobs: the trigger plugin is
// enabled for it, or there is no enable map. A no says why.
func (p *Plugins) TriggerEnabled(repo string) (bool, string) {
	if !p.HasEnableMap() || p.IsEnabled(repo, TriggerPlugin) {
		return true, ""
	}
	return false, fmt.Sprintf("the trigger plugin is not enabled for %s in plugins.yaml (plugins: of its org, group or repo), so it runs no jobs", repo)
}

// Scopes lists the org, every enclosing group and the repo itself,
// outermost first: a/b/c/repo gives a, a/b, a/b/c, a/b/c/repo.
func Scopes(repo string) []string {
	var out []string
	for i, r := range repo {
		if r == '/' {
			out = append(out, repo[:i])
		}
	}
	return append(out, repo)
}

// excludes reports whether an entry for scope excludes repo. Prow lists
// a repo by its name under its org; under a GitLab group an entry may
// also name the path below the group, a subgroup, or the full path.
func excludes(excluded []string, scope, repo string) bool {
	rel := strings.TrimPrefix(repo, scope+"/")
	for _, e := range excluded {
		e = strings.Trim(e, "/")
		if e == rel || e == repo || strings.HasPrefix(rel, e+"/") || strings.HasPrefix(repo, e+"/") {
			return true
		}
	}
	return false
}

// TriggerFor returns the trigger settings of repo: those of the entry
// naming the repo, else of the entry naming its org (for a nested GitLab
// group, the nearest enclosing group), else none.
func (p *Plugins) TriggerFor(repo string) TriggerSettings {
	if p == nil {
		return TriggerSettings{}
	}
	t, _ := ForRepo(p.Triggers, func(t TriggerSettings) []string { return t.Repos }, repo)
	return t
}

// ForRepo returns the entry of a plugins.yaml list section (triggers:,
// lgtm:, approve:, ...) that applies to repo: the one naming the repo,
// else the one naming its nearest enclosing group or org.
func ForRepo[T any](entries []T, repos func(T) []string, repo string) (T, bool) {
	s := Scopes(repo)
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
