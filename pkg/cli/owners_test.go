package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/owners"
)

const ownersData = "../owners/testdata/"

// oracleCase is one line of ../owners/testdata/oracle/cases.tsv.
type oracleCase struct {
	name, repo, author, approvedBy, prNumber string
	files                                    []string
}

func readOracleCases(t *testing.T) []oracleCase {
	t.Helper()
	f, err := os.Open(ownersData + "oracle/cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []oracleCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			cases = append(cases, parseOracleCase(t, line))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func parseOracleCase(t *testing.T, line string) oracleCase {
	t.Helper()
	fields := strings.Split(line, "\t")
	if len(fields) != 6 {
		t.Fatalf("cases.tsv: want 6 fields: %q", line)
	}
	for i, f := range fields {
		if f == "-" {
			fields[i] = ""
		}
	}
	c := oracleCase{name: fields[0], repo: fields[1], author: fields[2], approvedBy: fields[3], prNumber: fields[4]}
	if fields[5] != "" {
		c.files = strings.Split(fields[5], ",")
	}
	return c
}

// oracleAnswer is what the oracle printed for a case.
type oracleAnswer struct {
	owners.Decision
	Error     bool     `json:"error"`
	Malformed []string `json:"malformed"`
}

func (c oracleCase) args(t *testing.T) []string {
	changed := filepath.Join(t.TempDir(), "changed")
	if err := os.WriteFile(changed, []byte(strings.Join(c.files, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--repo", ownersData + "repos/" + c.repo, "--changed-files", changed, "--pr-number", c.prNumber}
	if c.author != "" {
		args = append(args, "--author", c.author)
	}
	if c.approvedBy != "" {
		args = append(args, "--approved-by", c.approvedBy)
	}
	return args
}

// TestOwnersMatchesOracle runs fresnel owners on every recorded case and
// compares its answer with the one Prow's own code gave
// (test/oracle/record-owners.sh re-records them).
func TestOwnersMatchesOracle(t *testing.T) {
	cases := readOracleCases(t)
	if len(cases) < 25 {
		t.Fatalf("%d oracle cases, want at least 25", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, err := os.ReadFile(ownersData + "oracle/answers/" + c.name + ".json")
			if err != nil {
				t.Fatalf("no recorded answer (run test/oracle/record-owners.sh): %v", err)
			}
			var want oracleAnswer
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err = Owners(context.Background(), c.args(t), &stdout, &stderr)
			if want.Error {
				checkMalformed(t, err, stderr.String(), want.Malformed)
				return
			}
			if err != nil {
				t.Fatalf("owners: %v\n%s", err, stderr.String())
			}
			var got owners.Decision
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
			}
			if diff := cmp.Diff(want.Decision, got); diff != "" {
				t.Errorf("answer differs from Prow's (-prow +fresnel):\n%s", diff)
			}
		})
	}
}

// checkMalformed wants exit status 2 and each malformed file named with
// a line.
func checkMalformed(t *testing.T, err error, stderr string, files []string) {
	t.Helper()
	var code ExitCode
	if !errors.As(err, &code) || code != 2 {
		t.Fatalf("exit %v, want 2; stderr:\n%s", err, stderr)
	}
	for _, f := range files {
		if !regexp.MustCompile(regexp.QuoteMeta(f) + `:[0-9]+:`).MatchString(stderr) {
			t.Errorf("stderr does not name %s with a line:\n%s", f, stderr)
		}
	}
}

func TestOwnersSettings(t *testing.T) {
	repo := ownersData + "repos/kubelike"
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	docs := write("docs.txt", "docs/a.md\n")
	vendored := write("vendored.txt", "vendor/foo/bar/x.go\n")
	plugins := write("plugins.yaml", "approve:\n- repos: [acme]\n  require_self_approval: true\n- repos: [acme/relaxed]\n  require_self_approval: false\n")
	denyDocs := write("deny-docs.yaml", "owners_dir_denylist:\n  repos:\n    acme/site: ['^docs$']\n")
	noDefaults := write("no-defaults.yaml", "owners_dir_denylist:\n  ignore_preconfigured_defaults: true\n")
	tests := []struct {
		name string
		args []string
		want owners.Decision
	}{
		{
			name: "the author approves implicitly by default",
			args: []string{"--changed-files", docs, "--author", "frank"},
			want: decision(true, nil, map[string][]string{"docs/a.md": {"alice", "bob", "frank", "root-admin"}}, nil),
		},
		{
			name: "require_self_approval of the org: the author must /approve",
			args: []string{"--changed-files", docs, "--author", "frank", "--plugins", plugins, "--org", "acme", "--name", "web"},
			want: decision(false, []string{"docs/OWNERS"}, map[string][]string{"docs/a.md": {"alice", "bob", "frank", "root-admin"}}, []string{"frank"}),
		},
		{
			name: "the repository's entry wins over its org's",
			args: []string{"--changed-files", docs, "--author", "frank", "--plugins", plugins, "--org", "acme", "--name", "relaxed"},
			want: decision(true, nil, map[string][]string{"docs/a.md": {"alice", "bob", "frank", "root-admin"}}, nil),
		},
		{
			name: "owners_dir_denylist of the repository hides docs/OWNERS",
			args: []string{"--changed-files", docs, "--approved-by", "frank", "--config", denyDocs, "--org", "acme", "--name", "site"},
			want: decision(false, []string{"OWNERS"}, map[string][]string{"docs/a.md": {"alice", "bob", "root-admin"}}, []string{"alice"}),
		},
		{
			name: "ignore_preconfigured_defaults reads vendor OWNERS files",
			args: []string{"--changed-files", vendored, "--approved-by", "vendor-person", "--config", noDefaults, "--org", "acme", "--name", "site"},
			want: decision(true, nil, map[string][]string{"vendor/foo/bar/x.go": {"alice", "bob", "root-admin", "vendor-person"}}, nil),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := Owners(context.Background(), append([]string{"--repo", repo}, tc.args...), &stdout, &stderr); err != nil {
				t.Fatalf("owners: %v\n%s", err, stderr.String())
			}
			var got owners.Decision
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func decision(approved bool, unapproved []string, approvers map[string][]string, suggested []string) owners.Decision {
	if unapproved == nil {
		unapproved = []string{}
	}
	if suggested == nil {
		suggested = []string{}
	}
	return owners.Decision{Approved: approved, UnapprovedFiles: unapproved, Approvers: approvers, SuggestedApprovers: suggested}
}

func TestOwnersExitStatus(t *testing.T) {
	repo := ownersData + "repos/kubelike"
	badPlugins := filepath.Join(t.TempDir(), "plugins.yaml")
	if err := os.WriteFile(badPlugins, []byte("approve:\n- repos: [acme]\n  require_self_approval: sometimes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   ExitCode
		stderr string
	}{
		{name: "help", args: []string{"-h"}, code: 0},
		{name: "no flags", args: nil, code: 1, stderr: "missing --changed-files, --repo"},
		{name: "unknown flag", args: []string{"--repo", repo, "--bogus"}, code: 1, stderr: "bogus"},
		{name: "plugins without the repository", args: []string{"--repo", repo, "--changed-files", "/dev/null", "--plugins", "p.yaml"}, code: 1, stderr: "need --org and --name"},
		{name: "bad plugins.yaml", args: []string{"--repo", repo, "--changed-files", "/dev/null", "--plugins", badPlugins, "--org", "acme", "--name", "web"}, code: 1, stderr: badPlugins + ":3:"},
		{name: "missing changed files", args: []string{"--repo", repo, "--changed-files", "/nonexistent/changed"}, code: 1, stderr: "/nonexistent/changed"},
		{name: "not a repository", args: []string{"--repo", "/nonexistent/repo", "--changed-files", "/dev/null"}, code: 1, stderr: "/nonexistent/repo"},
		{name: "malformed OWNERS", args: []string{"--repo", ownersData + "repos/malformed", "--changed-files", "/dev/null"}, code: 2, stderr: "broken/OWNERS:3:"},
		{name: "malformed OWNERS_ALIASES", args: []string{"--repo", ownersData + "repos/badaliases", "--changed-files", "/dev/null"}, code: 2, stderr: "OWNERS_ALIASES:2:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Owners(context.Background(), tc.args, &stdout, &stderr)
			var code ExitCode
			if err != nil && !errors.As(err, &code) {
				t.Fatalf("error %v is not an exit status", err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}
