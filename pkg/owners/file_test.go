package owners

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOwners(t *testing.T) {
	aliases := aliasMap{"team": newSet("ann", "ben")}
	tests := []struct {
		name      string
		data      string
		approvers map[string][]string // pattern -> approvers
		options   Options
		warnings  []Problem
		malformed []Problem
	}{
		{
			name:      "simple, logins folded, alias expanded",
			data:      "approvers:\n  - '@Zed'\n  - TEAM\nreviewers: [rae]\n",
			approvers: map[string][]string{"": {"ann", "ben", "zed"}},
		},
		{
			name:      "options with filters",
			data:      "options:\n  no_parent_owners: true\nfilters:\n  \".*\":\n    approvers: [a]\n  \"\\\\.go$\":\n    approvers: [b]\n",
			approvers: map[string][]string{".*": {"a"}, `\.go$`: {"b"}},
			options:   Options{NoParentOwners: true},
		},
		{
			name:      "emeritus approvers are read and approve nothing",
			data:      "approvers: [now]\nemeritus_approvers: [then]\n",
			approvers: map[string][]string{"": {"now"}},
		},
		{
			name:      "only emeritus approvers: nobody approves, no warning",
			data:      "emeritus_approvers: [then]\n",
			approvers: map[string][]string{},
		},
		{
			name:      "options only",
			data:      "options:\n  auto_approve_unowned_subfolders: true\n",
			approvers: map[string][]string{},
			options:   Options{AutoApproveUnownedSubfolders: true},
		},
		{
			name:      "filters beside top-level lists are ignored, as Prow ignores them",
			data:      "approvers: [a]\nfilters:\n  x:\n    approvers: [b]\n",
			approvers: map[string][]string{"": {"a"}},
			warnings:  []Problem{{File: "OWNERS", Line: 2, Message: "filters are ignored because the file also lists owners at the top level"}},
		},
		{
			name:      "an unknown key",
			data:      "approvers: [a]\n\napprover: [b]\n",
			approvers: map[string][]string{"": {"a"}},
			warnings:  []Problem{{File: "OWNERS", Line: 3, Message: `ignored, as Prow ignores it: unknown key "approver"`}},
		},
		{
			name:      "a list given as a string: Prow drops the top-level lists",
			data:      "reviewers: [r]\napprovers: solo\n",
			approvers: map[string][]string{},
			warnings:  []Problem{{File: "OWNERS", Line: 2, Message: "ignored, as Prow ignores it: approvers: want []string, found a YAML string"}},
		},
		{
			name:      "a filter that does not compile is left out",
			data:      "filters:\n  '[x':\n    approvers: [a]\n  z:\n    approvers: [b]\n",
			approvers: map[string][]string{"z": {"b"}},
			warnings:  []Problem{{File: "OWNERS", Line: 2, Message: "filter \"[x\" is ignored: error parsing regexp: missing closing ]: `[x`"}},
		},
		{
			name:      "not YAML",
			data:      "approvers:\n  - a\n   - b: [\n",
			malformed: []Problem{{File: "OWNERS", Line: 3, Message: "mapping values are not allowed in this context"}},
		},
		{
			name:      "options of the wrong type: neither shape fits",
			data:      "options: [no_parent_owners]\n",
			malformed: []Problem{{File: "OWNERS", Line: 1, Message: "options: want owners.Options, found a YAML array"}},
		},
		{
			name:      "a list at the top",
			data:      "- a\n- b\n",
			malformed: []Problem{{File: "OWNERS", Line: 1, Message: "json: cannot unmarshal array into Go value of type owners.fullFile"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, warns, err := parseOwners("OWNERS", []byte(tc.data), aliases)
			if tc.malformed != nil {
				var bad *MalformedError
				if !errors.As(err, &bad) {
					t.Fatalf("err = %v, want a MalformedError", err)
				}
				if diff := cmp.Diff(tc.malformed, bad.Problems); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, r := range cfg.rules {
				if len(r.approvers) > 0 {
					got[r.pattern] = r.approvers.sorted()
				}
			}
			if diff := cmp.Diff(tc.approvers, got); diff != "" {
				t.Errorf("approvers (-want +got):\n%s", diff)
			}
			if cfg.options != tc.options {
				t.Errorf("options = %+v, want %+v", cfg.options, tc.options)
			}
			if diff := cmp.Diff(tc.warnings, warns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAliases(t *testing.T) {
	tests := []struct {
		name string
		data string
		want map[string][]string
		line int // of the malformed file, 0 when it parses
	}{
		{name: "folded", data: "aliases:\n  Team-A: [Ann, '@ben']\n  empty: []\n", want: map[string][]string{"team-a": {"ann", "ben"}, "empty": {}}},
		{name: "no aliases key", data: "other: 1\n", want: map[string][]string{}},
		{name: "broken", data: "aliases:\n  a: [x\n", line: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseAliases(AliasesFile, []byte(tc.data))
			if tc.line != 0 {
				var bad *MalformedError
				if !errors.As(err, &bad) || bad.Problems[0].Line != tc.line {
					t.Fatalf("err = %v, want malformed at line %d", err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for k, v := range m {
				got[k] = v.sorted()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadDirMalformed wants every malformed file named, with its line.
func TestLoadDirMalformed(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"OWNERS":            "approvers: [a]\n",
		"x/OWNERS":          "approvers:\n  - [b\n",
		"y/z/OWNERS":        "filters: 3\n",
		"y/z/OWNERS.bak":    "not: [read\n",
		"vendor/a/b/OWNERS": "not: [read\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadDir(dir, DefaultDenylist())
	var bad *MalformedError
	if !errors.As(err, &bad) {
		t.Fatalf("err = %v, want a MalformedError", err)
	}
	var got []string
	for _, p := range bad.Problems {
		got = append(got, p.String())
	}
	want := []string{
		"x/OWNERS:2: did not find expected ',' or ']'",
		"y/z/OWNERS:1: filters: want map[string]owners.people, found a YAML number",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParseOwners: any bytes give a config or an error, never a panic.
func FuzzParseOwners(f *testing.F) {
	files, _ := filepath.Glob("testdata/repos/*/*OWNERS*")
	more, _ := filepath.Glob("testdata/repos/*/*/*OWNERS*")
	for _, p := range append(files, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	aliases := aliasMap{"team": newSet("a")}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, err := parseOwners("OWNERS", data, aliases)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("config %v and error %v: want exactly one", cfg, err)
		}
		_, _ = parseAliases(AliasesFile, data)
	})
}
