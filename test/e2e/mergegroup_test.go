package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// mergeGroupJobs has one presubmit a merge queue waits for, and two it
// does not: an optional one and one that runs only when asked.
const mergeGroupJobs = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo unit"]
  - name: advice
    always_run: true
    optional: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo advice"]
  - name: manual
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo manual"]
`

// mergeGroupEvent is a merge_group delivery for acme/widgets, in the shape
// of providers/github/testdata/merge-group-checks-requested.json.
func mergeGroupEvent(t *testing.T, action, headSHA, baseSHA string) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"action": action,
		"merge_group": map[string]any{
			"head_sha": headSHA, "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-" + baseSHA,
			"base_sha": baseSHA, "base_ref": "refs/heads/main",
		},
		"repository": map[string]any{
			"name": "widgets", "full_name": repo, "owner": map[string]any{"login": "acme"},
			"clone_url": "https://github.com/" + repo + ".git", "html_url": "https://github.com/" + repo, "default_branch": "main",
		},
		"sender": map[string]any{"login": "github-merge-queue[bot]", "type": "Bot"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestMergeGroupRunsRequiredJobsOnItsCommit: a merge queue's group runs
// the presubmits its base branch requires, from a sender no org lists,
// and their statuses land on the group's head commit.
func TestMergeGroupRunsRequiredJobsOnItsCommit(t *testing.T) {
	const groupSHA, baseSHA = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00", "1111111111111111111111111111111111111111"
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), mergeGroupJobs)

	body := mergeGroupEvent(t, "checks_requested", groupSHA, baseSHA)
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("merge_group", "delivery-mg-1", githubSecret, body), body)
	if status != http.StatusOK || ans.Ignored != "" || ans.Error != "" {
		t.Fatalf("status %d, answer %+v", status, ans)
	}
	if got := strings.Join(runNames(ans), ","); got != "unit" {
		t.Fatalf("runs = %q, want unit (answer %+v)", got, ans)
	}
	runs := listRuns(t, ns)
	if len(runs) != 1 {
		t.Fatalf("PipelineRuns = %d, want 1", len(runs))
	}
	pr := runs[0]
	p := params(pr)
	if p["PULL_BASE_REF"] != "main" || p["PULL_BASE_SHA"] != groupSHA || p["PULL_NUMBER"] != "" || pr.Labels["fresnel.dev/pull"] != "" {
		t.Errorf("%s: params %v labels %v; want main at the group's commit, no pull request", pr.Name, p, pr.Labels)
	}
	for _, s := range waitStatuses(t, gh, map[string]string{"unit": "success"}) {
		if s.SHA != groupSHA {
			t.Errorf("status %s %s on %s, want the group's head commit", s.Context, s.State, s.SHA)
		}
	}
}
