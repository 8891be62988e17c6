package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run runs one command in-process and returns its exit status and output.
func run(t *testing.T, cmd func(context.Context, []string, io.Writer, io.Writer) error, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := cmd(context.Background(), args, &stdout, &stderr)
	code := 0
	var exit ExitCode
	switch {
	case errors.As(err, &exit):
		code = int(exit)
	case err != nil:
		t.Fatalf("command returned %v, want nil or an ExitCode", err)
	}
	return code, stdout.String(), stderr.String()
}

const cc = "testdata/checkconfig/"

func TestCheckConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // stdout, line by line
	}{
		{name: "valid", args: []string{"--config", cc + "valid.yaml"}, code: 0, want: []string{
			"configuration valid: 1 presubmit, 1 postsubmit, 1 periodic in 1 repo; 0 errors, 0 warnings",
		}},
		{name: "unknown fields, nested ones too", args: []string{"--config", cc + "unknown-field.yaml"}, code: 1, want: []string{
			cc + `unknown-field.yaml:4: error: presubmit "unit" of acme/anvil: unknown field "alwys_run"`,
			cc + `unknown-field.yaml:5: error: presubmit "unit" of acme/anvil: spec: every container needs a command or args; Tekton cannot read an image's entrypoint without a registry`,
			cc + `unknown-field.yaml:8: error: presubmit "unit" of acme/anvil: unknown field "comand"`,
			"configuration rejected: 3 errors, 0 warnings",
		}},
		{name: "wrong type", args: []string{"--config", cc + "bad-type.yaml"}, code: 1, want: []string{
			cc + `bad-type.yaml:4: error: presubmit "unit" of acme/anvil: always_run: want bool, not string`,
			"configuration rejected: 1 error, 0 warnings",
		}},
		{name: "bad regexes", args: []string{"--config", cc + "bad-regex.yaml"}, code: 1, want: []string{
			cc + "bad-regex.yaml:6: error: presubmit \"unit\" of acme/anvil: branches: error parsing regexp: missing closing ): `release-(1.*`",
			cc + "bad-regex.yaml:7: error: presubmit \"unit\" of acme/anvil: run_if_changed: error parsing regexp: missing closing ]: `[a-`",
			"configuration rejected: 2 errors, 0 warnings",
		}},
		{name: "bad cron and interval", args: []string{"--config", cc + "bad-schedule.yaml"}, code: 1, want: []string{
			cc + `bad-schedule.yaml:3: error: periodic "every-minute-and-a-bit": cron "61 * * * *": end of range (61) above maximum (59): 61`,
			cc + `bad-schedule.yaml:6: error: periodic "six-fields": cron "0 0 3 * * *": expected exactly 5 fields, found 6: [0 0 3 * * *]`,
			cc + `bad-schedule.yaml:9: error: periodic "sometimes": interval "fortnightly": want a positive Go duration such as 30m or 2h`,
			cc + `bad-schedule.yaml:11: error: periodic "unscheduled": a periodic needs cron, interval or minimum_interval`,
			cc + `bad-schedule.yaml:15: error: periodic "both": cron and interval are mutually exclusive`,
			"configuration rejected: 5 errors, 0 warnings",
		}},
		{name: "duplicate names and contexts within a repo", args: []string{"--config", cc + "duplicates.yaml"}, code: 1, want: []string{
			cc + `duplicates.yaml:5: error: presubmit "unit" is defined twice for acme/anvil (first at ` + cc + `duplicates.yaml:3)`,
			cc + `duplicates.yaml:12: error: context "ci/check" is used twice for acme/anvil (first at ` + cc + `duplicates.yaml:8)`,
			"configuration rejected: 2 errors, 0 warnings",
		}},
		{name: "duplicates across the job-config directory", args: []string{"--config", cc + "valid.yaml", "--job-config", cc + "jobs-dup"}, code: 1, want: []string{
			cc + `jobs-dup/b.yaml:4: error: presubmit "integration" is defined twice for acme/anvil (first at ` + cc + `jobs-dup/a.yaml:3)`,
			"configuration rejected: 1 error, 0 warnings",
		}},
		{name: "no or two run definitions", args: []string{"--config", cc + "run-definitions.yaml"}, code: 1, want: []string{
			cc + `run-definitions.yaml:3: error: presubmit "nothing-to-run" of acme/anvil: exactly one of pipeline_run_spec, tekton_pipeline_run_spec or spec must be set`,
			cc + `run-definitions.yaml:7: error: presubmit "two-ways" of acme/anvil: exactly one of pipeline_run_spec, tekton_pipeline_run_spec or spec must be set`,
			"configuration rejected: 2 errors, 0 warnings",
		}},
		{name: "duplicate key", args: []string{"--config", cc + "duplicate-key.yaml"}, code: 1, want: []string{
			cc + `duplicate-key.yaml:5: error: key "always_run" is defined twice (first on line 4)`,
			"configuration rejected: 1 error, 0 warnings",
		}},
		{name: "not YAML", args: []string{"--config", cc + "syntax.yaml"}, code: 1, want: []string{
			cc + `syntax.yaml:3: error: did not find expected key`,
			"configuration rejected: 1 error, 0 warnings",
		}},
		{name: "unsupported fields warn", args: []string{"--config", cc + "unsupported.yaml"}, code: 0, want: unsupportedWarnings},
		{name: "unsupported fields fail with --strict", args: []string{"--config", cc + "unsupported.yaml", "--strict"}, code: 1, want: unsupportedWarnings},
		{name: "jobs that cannot run", args: []string{"--config", cc + "never-runs.yaml"}, code: 0, want: []string{
			cc + `never-runs.yaml:4: warning: presubmit "custom-trigger" of acme/anvil: trigger "(?m)^/run-integration\\s*$" does not match rerun_command "/test custom-trigger": the command offered for reruns would not start the job`,
			cc + `never-runs.yaml:12: warning: presubmit "skipped-everywhere" of acme/anvil: never runs: skip_branches matches every branch`,
			"configuration valid: 4 presubmits, 0 postsubmits, 0 periodics in 1 repo; 0 errors, 2 warnings",
		}},
		{name: "plugins.yaml", args: []string{"--config", cc + "valid.yaml", "--plugins", cc + "plugins-bad.yaml"}, code: 1, want: []string{
			cc + `plugins-bad.yaml:4: error: plugins of acme: unknown field "exclude_repos" (want plugins or excluded_repos)`,
			cc + `plugins-bad.yaml:5: error: plugins of acme/anvil: want a list of plugin names or {plugins: [...], excluded_repos: [...]}`,
			"configuration rejected: 2 errors, 0 warnings",
		}},
		{name: "good plugins.yaml and job-config directory", args: []string{"--config", "testdata/explain/config.yaml", "--job-config", "testdata/explain/jobs", "--plugins", "testdata/explain/plugins.yaml"}, code: 0, want: []string{
			"configuration valid: 9 presubmits, 4 postsubmits, 1 periodic in 3 repos; 0 errors, 0 warnings",
		}},
		{name: "plugins.yaml warnings", args: []string{"--config", cc + "valid.yaml", "--plugins", cc + "plugins-warnings.yaml"}, code: 0, want: []string{
			cc + `plugins-warnings.yaml:4: warning: triggers: field "trigger_github_workflows" is not read by fresnel; it is ignored`,
			cc + `plugins-warnings.yaml:5: warning: section "slack" is not read by fresnel (a plugin it does not implement, or a misspelling); it is ignored`,
			cc + `plugins-warnings.yaml:9: warning: acme plugins: plugin "cat" is a Prow plugin fresnel does not implement; it is ignored`,
			cc + `plugins-warnings.yaml:10: warning: acme plugins: unknown plugin "trigerr" (a misspelling?); it is ignored`,
			"configuration valid: 1 presubmit, 1 postsubmit, 1 periodic in 1 repo; 0 errors, 4 warnings",
		}},
		{name: "plugins.yaml without a plugins: map", args: []string{"--config", cc + "valid.yaml", "--plugins", cc + "plugins-no-map.yaml"}, code: 0, want: []string{
			cc + `plugins-no-map.yaml:1: warning: no plugins: map: fresnel runs the trigger plugin (jobs, /test, /retest) for every repo; add one to choose where it runs`,
			"configuration valid: 1 presubmit, 1 postsubmit, 1 periodic in 1 repo; 0 errors, 1 warning",
		}},
		{name: "plugins.yaml with a wrong type", args: []string{"--config", cc + "valid.yaml", "--plugins", cc + "plugins-type.yaml"}, code: 1, want: []string{
			cc + `plugins-type.yaml:4: error: triggers: only_org_members: want bool, not string`,
			"configuration rejected: 1 error, 0 warnings",
		}},
		{name: "missing files", args: []string{"--config", cc + "nope.yaml", "--plugins", cc + "nope-plugins.yaml"}, code: 1, want: []string{
			cc + "nope-plugins.yaml: error: cannot read: no such file or directory",
			cc + "nope.yaml: error: cannot read: no such file or directory",
			"configuration rejected: 2 errors, 0 warnings",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, CheckConfig, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if diff := cmp.Diff(tc.want, strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

var unsupportedWarnings = []string{
	cc + `unsupported.yaml:8: warning: presubmit "unit" of acme/anvil: decoration_config.gcs_configuration is not supported by fresnel and is ignored`,
	cc + `unsupported.yaml:13: warning: presubmit "unit" of acme/anvil: cluster is not supported by fresnel: runs go to the cluster fresnel runs in`,
	cc + `unsupported.yaml:14: warning: presubmit "unit" of acme/anvil: namespace is not supported by fresnel: runs go to the namespace of fresnel.yaml`,
	cc + `unsupported.yaml:17: warning: presubmit "legacy" of acme/anvil: agent "jenkins" is not supported by fresnel: the job runs as a Tekton PipelineRun`,
	"configuration valid: 2 presubmits, 0 postsubmits, 0 periodics in 1 repo; 0 errors, 4 warnings",
}

func TestCheckConfigUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string
	}{
		{name: "no --config", args: nil, code: 2, wantStderr: "missing --config"},
		{name: "unknown flag", args: []string{"--config", cc + "valid.yaml", "--fix"}, code: 2, wantStderr: "flag provided but not defined: -fix"},
		{name: "stray argument", args: []string{"--config", cc + "valid.yaml", "extra"}, code: 2, wantStderr: `unexpected argument "extra"`},
		{name: "help", args: []string{"-h"}, code: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, CheckConfig, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.wantStderr)
			}
		})
	}
}
