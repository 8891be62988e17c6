package triggers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var implemented = []string{"trigger", "lgtm"}

// parsePluginsOK parses a plugins.yaml that must load, and returns it with
// its warnings as FILE:LINE: warning: MESSAGE lines.
func parsePluginsOK(t *testing.T, doc string) (*Plugins, []string) {
	t.Helper()
	p, problems := ParsePlugins([]byte(strings.TrimPrefix(doc, "\n")), "plugins.yaml", implemented)
	if err := problems.Err(); err != nil {
		t.Fatalf("ParsePlugins: %v", err)
	}
	var warnings []string
	for _, w := range problems {
		warnings = append(warnings, w.String())
	}
	return p, warnings
}

func TestPluginsEnabled(t *testing.T) {
	p, _ := parsePluginsOK(t, `
plugins:
  acme:
    plugins: [trigger, lgtm]
    excluded_repos: [legacy]
  acme/legacy: [lgtm]
  acme/widgets:
    plugins: [hold]
  old-org: [trigger]
  group:
    plugins: [trigger]
    excluded_repos: [sub/private, archive]
  group/sub: [lgtm]
`)
	tests := []struct {
		repo string
		want []string
	}{
		{repo: "acme/gears", want: []string{"lgtm", "trigger"}},
		{repo: "acme/widgets", want: []string{"hold", "lgtm", "trigger"}},
		{repo: "acme/legacy", want: []string{"lgtm"}},
		{repo: "old-org/x", want: []string{"trigger"}},
		{repo: "group/sub/project", want: []string{"lgtm", "trigger"}},
		{repo: "group/sub/private", want: []string{"lgtm"}},
		{repo: "group/archive/old", want: nil},
		{repo: "nobody/repo", want: nil},
		{repo: "acmeish/repo", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.repo, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, p.Enabled(tc.repo)); diff != "" {
				t.Errorf("Enabled(%q) (-want +got):\n%s", tc.repo, diff)
			}
		})
	}
}

func TestTriggerEnabled(t *testing.T) {
	withMap, _ := parsePluginsOK(t, "plugins:\n  acme: [trigger]\n  other: [lgtm]\n")
	noMap, _ := parsePluginsOK(t, "triggers:\n- repos: [acme]\n")
	emptyMap, _ := parsePluginsOK(t, "plugins: {}\n")
	tests := []struct {
		name    string
		p       *Plugins
		repo    string
		want    bool
		wantWhy string
	}{
		{name: "enabled for the org", p: withMap, repo: "acme/a", want: true},
		{name: "another plugin only", p: withMap, repo: "other/a", wantWhy: "trigger plugin is not enabled for other/a"},
		{name: "not listed", p: withMap, repo: "stranger/a", wantWhy: "not enabled"},
		{name: "no enable map: on everywhere", p: noMap, repo: "stranger/a", want: true},
		{name: "no plugins.yaml: on everywhere", p: nil, repo: "stranger/a", want: true},
		{name: "an empty enable map enables nothing", p: emptyMap, repo: "acme/a", wantWhy: "not enabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.p.TriggerEnabled(tc.repo)
			if got != tc.want || !strings.Contains(why, tc.wantWhy) || got != (why == "") {
				t.Errorf("TriggerEnabled(%q) = %v, %q; want %v and a reason containing %q", tc.repo, got, why, tc.want, tc.wantWhy)
			}
		})
	}
}

func TestParsePluginsSections(t *testing.T) {
	p, _ := parsePluginsOK(t, `
triggers:
- repos: [acme, group/sub]
  trusted_apps: [dependabot]
  trusted_org: acme-friends
  join_org_url: https://example.com/join
  only_org_members: true
  ignore_ok_to_test: true
lgtm:
- repos: [acme]
  review_acts_as_lgtm: true
`)
	want := TriggerSettings{Repos: []string{"acme", "group/sub"}, TrustedApps: []string{"dependabot"}, TrustedOrg: "acme-friends",
		JoinOrgURL: "https://example.com/join", OnlyOrgMembers: true, IgnoreOkToTest: true}
	if diff := cmp.Diff(want, p.TriggerFor("group/sub/project")); diff != "" {
		t.Errorf("TriggerFor (-want +got):\n%s", diff)
	}
	if len(p.Lgtm) != 1 || !p.Lgtm[0].ReviewActsAsLgtm {
		t.Errorf("lgtm section = %+v, want one entry with review_acts_as_lgtm", p.Lgtm)
	}
}

func TestParsePluginsWarnings(t *testing.T) {
	_, warnings := parsePluginsOK(t, `
plugins:
  acme:
    plugins:
    - trigger
    - cat
    - trigerr
triggers:
- repos: [acme]
  trigger_github_workflows: true
approve:
- repos: [acme]
slack:
  mergewarnings: []
`)
	want := []string{
		`plugins.yaml:5: warning: acme plugins: plugin "cat" is a Prow plugin fresnel does not implement; it is ignored`,
		`plugins.yaml:6: warning: acme plugins: unknown plugin "trigerr" (a misspelling?); it is ignored`,
		`plugins.yaml:9: warning: triggers: field "trigger_github_workflows" is not read by fresnel; it is ignored`,
		`plugins.yaml:10: warning: section "approve" configures approve, which fresnel does not implement; it is ignored`,
		`plugins.yaml:12: warning: section "slack" is not read by fresnel (a plugin it does not implement, or a misspelling); it is ignored`,
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestParsePluginsErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{name: "not YAML", doc: "plugins:\n  acme: [trigger\n", want: "plugins.yaml:2: error: did not find expected"},
		{name: "not a mapping", doc: "- trigger\n", want: "plugins.yaml:1: error: plugins.yaml must be a mapping"},
		{name: "enable map is a list", doc: "plugins:\n- trigger\n", want: "plugins.yaml:2: error: plugins must map"},
		{name: "entry is a string", doc: "plugins:\n  acme: trigger\n", want: "plugins.yaml:2: error: plugins of acme: want a list"},
		{name: "plugin name is a mapping", doc: "plugins:\n  acme:\n    plugins:\n    - {name: trigger}\n", want: "plugins.yaml:4: error: acme plugins: want a name"},
		{name: "unknown field in an entry", doc: "plugins:\n  acme:\n    plugin: [trigger]\n", want: `plugins.yaml:3: error: plugins of acme: unknown field "plugin"`},
		{name: "bool of the wrong type", doc: "triggers:\n- repos: [acme]\n  only_org_members: [yes]\n", want: "plugins.yaml:3: error: triggers: only_org_members: want bool"},
		{name: "list of the wrong type", doc: "triggers:\n- repos: acme\n", want: "plugins.yaml:2: error: triggers: repos: want []string"},
		{name: "section of the wrong type", doc: "\n\ntriggers: yes\n", want: "plugins.yaml:3: error: triggers:"},
		{name: "duplicate key", doc: "plugins:\n  acme: [trigger]\n  acme: [lgtm]\n", want: `plugins.yaml:3: error: key "acme" is defined twice (first on line 2)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, problems := ParsePlugins([]byte(tc.doc), "plugins.yaml", implemented)
			if p != nil {
				t.Errorf("ParsePlugins returned a configuration despite errors: %+v", p)
			}
			var got []string
			for _, pr := range problems {
				got = append(got, pr.String())
			}
			if len(got) == 0 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("problems = %q, want the first to start with %q", got, tc.want)
			}
		})
	}
}

func TestLoadPluginsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plugins.yaml")
	if _, problems := LoadPlugins(path, implemented); problems.Err() == nil || !strings.Contains(problems.Err().Error(), "cannot read") {
		t.Errorf("LoadPlugins of a missing file = %v, want a cannot-read error", problems)
	}
	if err := os.WriteFile(path, []byte("plugins:\n  acme: [trigger]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, problems := LoadPlugins(path, implemented)
	if problems.Err() != nil || !p.IsEnabled("acme/x", TriggerPlugin) {
		t.Errorf("LoadPlugins = %+v, %v; want trigger enabled for acme", p, problems)
	}
}
