package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ex = "testdata/explain/"

// explainArgs are the flags every explain test passes, then its own.
func explainArgs(args ...string) []string {
	return append([]string{"--config", ex + "config.yaml", "--job-config", ex + "jobs", "--plugins", ex + "plugins.yaml"}, args...)
}

func pre(job, context string) Run { return Run{Job: job, Type: "presubmit", Context: context} }
func post(job string) Run         { return Run{Job: job, Type: "postsubmit", Context: job} }
func githubArgs(args ...string) []string {
	return explainArgs(append([]string{"--provider", "github"}, args...)...)
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		runs    []Run
		skipped []string
		reasons map[string]string // the reasons of some skipped jobs
	}{
		{
			name:    "pull request opened, code and docs changed",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-opened.json", "--changed-files", ex+"changed-code-and-docs.txt"),
			runs:    []Run{pre("docs-check", "docs-check"), pre("integration", "integration"), pre("lint", "lint"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "e2e", "release-verify"},
			reasons: map[string]string{
				"e2e":            `runs only when asked: comment "/test e2e"`,
				"release-verify": `branch "main" does not match branches`,
			},
		},
		{
			name:    "pull request opened, only markdown changed",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-opened.json", "--changed-files", ex+"changed-markdown.txt"),
			runs:    []Run{pre("docs-check", "docs-check"), pre("lint", "lint"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "e2e", "integration", "release-verify"},
			reasons: map[string]string{"integration": `every changed file matches skip_if_only_changed "\\.md$"`},
		},
		{
			name:    "pull request opened on a release branch",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-opened-release.json", "--changed-files", ex+"changed-markdown.txt"),
			runs:    []Run{pre("docs-check", "docs-check"), pre("lint", "lint"), pre("release-verify", "release-verify"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "e2e", "integration"},
		},
		{
			name:    "draft pull request opened, skip_draft_pr set in plugins.yaml",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-opened-draft.json", "--changed-files", ex+"changed-code-and-docs.txt"),
			runs:    []Run{},
			skipped: []string{"benchmarks", "docs-check", "e2e", "integration", "lint", "release-verify", "unit"},
			reasons: map[string]string{"unit": `the pull request is a draft: marking it ready for review, or /test, starts jobs`},
		},
		{
			name:    "pull request closed",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-closed.json"),
			runs:    []Run{},
			skipped: []string{"benchmarks", "docs-check", "e2e", "integration", "lint", "release-verify", "unit"},
			reasons: map[string]string{"unit": `pull request action "closed" starts no jobs`},
		},
		{
			name:    "push, changed files given",
			args:    githubArgs("--event", "push", "--payload", ex+"github/push-main.json", "--changed-files", ex+"changed-push-docs.txt"),
			runs:    []Run{post("docs-site"), post("publish")},
			skipped: []string{"release-build"},
		},
		{
			name:    "push, changed files from the payload's commits",
			args:    githubArgs("--event", "push", "--payload", ex+"github/push-main.json"),
			runs:    []Run{post("publish")},
			skipped: []string{"docs-site", "release-build"},
			reasons: map[string]string{"docs-site": `no changed file matches run_if_changed "^docs/"`},
		},
		{
			name:    "/test e2e",
			args:    githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-test-e2e.json", "--pull-request", ex+"github/pulls-17.json"),
			runs:    []Run{pre("e2e", "e2e")},
			skipped: []string{"benchmarks", "docs-check", "integration", "lint", "release-verify", "unit"},
			reasons: map[string]string{"unit": "the comment does not trigger it: /test unit"},
		},
		{
			name:    "/test all",
			args:    githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-test-all.json", "--pull-request", ex+"github/pulls-17.json", "--changed-files", ex+"changed-markdown.txt"),
			runs:    []Run{pre("docs-check", "docs-check"), pre("lint", "lint"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "e2e", "integration", "release-verify"},
		},
		{
			name: "/retest reruns the failed jobs and those an update runs that never reported",
			args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-17.json",
				"--changed-files", ex+"changed-code-and-docs.txt", "--statuses", ex+"github/status-17.json"),
			runs:    []Run{pre("benchmarks", "benchmarks"), pre("e2e", "e2e"), pre("integration", "integration"), pre("unit", "ci/unit")},
			skipped: []string{"docs-check", "lint", "release-verify"},
		},
		{
			name: "/retest without statuses runs what an update would",
			args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-17.json",
				"--changed-files", ex+"changed-markdown.txt"),
			runs:    []Run{pre("docs-check", "docs-check"), pre("lint", "lint"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "e2e", "integration", "release-verify"},
		},
		{
			name: "/retest on a release branch",
			args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-17-release.json",
				"--changed-files", ex+"changed-code-and-docs.txt", "--statuses", ex+"github/status-17.json"),
			runs: []Run{pre("benchmarks", "benchmarks"), pre("e2e", "e2e"), pre("integration", "integration"),
				pre("release-verify", "release-verify"), pre("unit", "ci/unit")},
			skipped: []string{"docs-check", "lint"},
		},
		{
			name: "/retest-required skips optional jobs",
			args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest-required.json", "--pull-request", ex+"github/pulls-17.json",
				"--changed-files", ex+"changed-code-and-docs.txt", "--statuses", ex+"github/status-17.json"),
			runs:    []Run{pre("e2e", "e2e"), pre("integration", "integration"), pre("unit", "ci/unit")},
			skipped: []string{"benchmarks", "docs-check", "lint", "release-verify"},
		},
		{
			name:    "a comment without commands needs no pull request",
			args:    githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-chatter.json"),
			runs:    []Run{},
			skipped: []string{"benchmarks", "docs-check", "e2e", "integration", "lint", "release-verify", "unit"},
		},
		{
			name:    "ignored pull request action skips the repo's presubmits",
			args:    githubArgs("--event", "pull_request", "--payload", ex+"github/pull_request-converted_to_draft.json"),
			runs:    []Run{},
			skipped: []string{"benchmarks", "docs-check", "e2e", "integration", "lint", "release-verify", "unit"},
			reasons: map[string]string{"lint": `the event is ignored: pull_request action "converted_to_draft" is not handled`},
		},
		{
			name: "ignored event skips every job",
			args: githubArgs("--event", "check_run", "--payload", ex+"github/check_run.json"),
			runs: []Run{},
			skipped: []string{"benchmarks", "diaspora-publish", "docs-check", "docs-site", "e2e", "gl-docs", "gl-unit",
				"integration", "lint", "publish", "release-build", "release-verify", "unit"},
			reasons: map[string]string{"publish": `the event is ignored: check_run action "created" is not handled`},
		},
		{
			name:    "GitLab merge request",
			args:    explainArgs("--provider", "gitlab", "--event", "Merge Request Hook", "--payload", "../../test/testdata/webhooks/gitlab/gp-merge-request-event.json", "--changed-files", ex+"changed-markdown.txt"),
			runs:    []Run{pre("gl-unit", "gl-unit")},
			skipped: []string{"gl-docs"},
		},
		{
			name:    "GitLab push",
			args:    explainArgs("--provider", "gitlab", "--event", "Push Hook", "--payload", "../../test/testdata/webhooks/gitlab/gp-push-event.json"),
			runs:    []Run{post("diaspora-publish")},
			skipped: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, Explain, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			var got Explanation
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if diff := cmp.Diff(tc.runs, got.Runs); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			names := []string{}
			for _, s := range got.Skipped {
				names = append(names, s.Job)
				if want, ok := tc.reasons[s.Job]; ok && s.Reason != want {
					t.Errorf("reason for %s = %q, want %q", s.Job, s.Reason, want)
				}
			}
			if diff := cmp.Diff(tc.skipped, names); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExplainPrintsEmptyListsAsArrays(t *testing.T) {
	code, stdout, stderr := run(t, Explain, explainArgs("--provider", "gitlab", "--event", "Note Hook",
		"--payload", "../../test/testdata/webhooks/gitlab/gp-comment-merge-request-event.json")...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["runs"]) != "[]" || string(raw["skipped"]) != "[]" {
		t.Errorf("runs %s, skipped %s; want [] and []", raw["runs"], raw["skipped"])
	}
}

func TestExplainBadInput(t *testing.T) {
	opened := ex + "github/pull_request-opened.json"
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{name: "unknown flag", args: githubArgs("--event", "push", "--payload", opened, "--verbose"), wantStderr: "flag provided but not defined: -verbose"},
		{name: "missing flags", args: []string{"--config", ex + "config.yaml"}, wantStderr: "missing --event, --payload"},
		{name: "missing payload", args: githubArgs("--event", "push", "--payload", ex+"nope.json"), wantStderr: "payload " + ex + "nope.json: no such file or directory"},
		{name: "payload that does not parse", args: githubArgs("--event", "pull_request", "--payload", ex+"github/truncated.json"), wantStderr: "bad payload"},
		{name: "payload of the wrong event", args: githubArgs("--event", "push", "--payload", ex+"github/issue_comment-retest.json"), wantStderr: "bad payload"},
		{name: "unknown provider", args: explainArgs("--provider", "sourcehut", "--event", "push", "--payload", opened), wantStderr: `unknown kind "sourcehut"`},
		{name: "invalid config", args: []string{"--config", cc + "bad-regex.yaml", "--event", "pull_request", "--payload", opened}, wantStderr: cc + "bad-regex.yaml:6: "},
		{name: "invalid plugins", args: []string{"--config", ex + "config.yaml", "--plugins", cc + "plugins-bad.yaml", "--event", "pull_request", "--payload", opened}, wantStderr: "plugins-bad.yaml:4: "},
		{name: "changed files needed", args: githubArgs("--event", "pull_request", "--payload", opened), wantStderr: "pass --changed-files FILE"},
		{name: "missing changed files", args: githubArgs("--event", "pull_request", "--payload", opened, "--changed-files", ex+"nope.txt"), wantStderr: "changed files " + ex + "nope.txt"},
		{name: "command without its pull request", args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json"), wantStderr: "pass --pull-request FILE"},
		{name: "pull request of another number", args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-18.json"), wantStderr: "is #18, the comment is on #17"},
		{name: "statuses that are not a combined status", args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-17.json", "--statuses", ex+"changed-markdown.txt"), wantStderr: "statuses " + ex + "changed-markdown.txt"},
		{name: "missing statuses", args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"github/pulls-17.json", "--statuses", ex+"nope.json"), wantStderr: "statuses " + ex + "nope.json"},
		{name: "pull request that is not one", args: githubArgs("--event", "issue_comment", "--payload", ex+"github/issue_comment-retest.json", "--pull-request", ex+"changed-markdown.txt"), wantStderr: "pull request " + ex + "changed-markdown.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, Explain, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr %q does not say %q", stderr, tc.wantStderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func TestExplainTriggerNotEnabled(t *testing.T) {
	args := []string{"--config", ex + "config.yaml", "--job-config", ex + "jobs", "--plugins", ex + "plugins-no-trigger.yaml",
		"--provider", "github", "--event", "pull_request", "--payload", ex + "github/pull_request-opened.json", "--changed-files", ex + "changed-code-and-docs.txt"}
	code, stdout, stderr := run(t, Explain, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var got Explanation
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if len(got.Runs) != 0 || len(got.Skipped) == 0 {
		t.Fatalf("runs %v, skipped %v; want nothing run and every presubmit skipped", got.Runs, got.Skipped)
	}
	for _, s := range got.Skipped {
		if !strings.Contains(s.Reason, "trigger plugin is not enabled for lumen-labs/prism") {
			t.Errorf("%s skipped for %q, want the trigger plugin named as the reason", s.Job, s.Reason)
		}
	}
}
