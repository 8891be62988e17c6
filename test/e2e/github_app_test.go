package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

const (
	e2eAppID        = 424242
	e2eInstallation = 77
)

// appJobsConfig has a passing and a failing job that each run for a few
// seconds, so that their check runs are seen queued and in progress, and
// a docs job that only runs when docs change.
const appJobsConfig = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    annotations: {fresnel.dev/test-duration: "3s"}
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: unit
          taskSpec:
            steps:
            - {name: test, image: busybox, script: exit 0}
  - name: lint
    always_run: true
    context: ci/lint
    annotations: {fresnel.dev/test-exit-code: "1", fresnel.dev/test-duration: "3s"}
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: lint
          taskSpec:
            steps:
            - {name: vet, image: golang, script: go vet ./...}
  - name: docs
    run_if_changed: '^docs/'
    spec:
      containers:
      - {image: busybox, command: [sh, -c, "echo docs"]}
`

// githubAppSettings is fresnel.yaml for one GitHub instance that acts as
// a GitHub App, with no token.
func githubAppSettings(ns, apiURL string) string {
	return fmt.Sprintf(`namespace: %s
prow:
  config: config.yaml
report:
  targetURL: "https://dashboard.example.com/runs/{{.Namespace}}/{{.Name}}"
providers:
- kind: github
  name: public
  url: %s
  secret: {file: github-hmac}
  app: {id: %d, privateKey: {file: github-app.pem}}
`, ns, apiURL, e2eAppID)
}

// appGitHub is a GitHub stand-in where the acme organisation (members
// octocat and alice) installed the e2e App; it returns the App's private
// key as PEM.
func appGitHub(t *testing.T) (*harness.FakeSCM, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewFakeGitHub()
	t.Cleanup(gh.Close)
	gh.GitHubApp(e2eAppID, &key.PublicKey, map[string]int64{"acme": e2eInstallation})
	gh.SetMembers("acme", "octocat", "alice")
	return gh, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// checkRunsDone waits until every context in want has a completed check
// run with the wanted conclusion, counting want[context] check runs of it.
func checkRunsDone(t *testing.T, gh *harness.FakeSCM, want map[string]string, count map[string]int) []harness.GitHubCheckRun {
	t.Helper()
	var runs []harness.GitHubCheckRun
	waitFor(t, fmt.Sprintf("check runs %v", want), func() bool {
		runs = gh.GitHubCheckRuns()
		done := map[string]int{}
		for _, r := range runs {
			if r.Status == "completed" && r.Conclusion == want[r.Name] {
				done[r.Name]++
			}
		}
		for name := range want {
			if done[name] < count[name] {
				return false
			}
		}
		return true
	})
	return runs
}

// TestGitHubAppPostsCheckRunsAndRerunsOnRequest: fresnel installed as a
// GitHub App calls the API with installation tokens only, reports each
// run as one check run updated in place (the failed one naming its failed
// step), marks the required docs context skipped, posts no commit status,
// and a "Re-run" on the failed check run runs that job again, while a
// re-run request for another App's check run is ignored.
func TestGitHubAppPostsCheckRunsAndRerunsOnRequest(t *testing.T) {
	ns := newNamespace(t)
	gh, pemKey := appGitHub(t)
	gh.GitHubPullRequest(repo, 7, headSHA, "main", []string{"main.go"})
	f := startFresnelFiles(t, stack.Kubeconfig, githubAppSettings(ns, gh.URL), map[string]string{
		"config.yaml": appJobsConfig, "github-hmac": string(githubSecret), "github-app.pem": pemKey,
	})

	body := harness.GitHubPullRequestEvent("opened", repo, 7, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "app-pr-7", githubSecret, body), body)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "lint,unit" {
		t.Fatalf("opened: status %d answer %+v, want runs lint,unit", status, ans)
	}
	want := map[string]string{"unit": "success", "ci/lint": "failure", "docs": "skipped"}
	runs := checkRunsDone(t, gh, want, map[string]int{"unit": 1, "ci/lint": 1, "docs": 1})
	checkAppRuns(t, gh, runs)

	foreign := harness.GitHubCheckRunRerequested(repo, 7, "ci/lint", "7/lint", headSHA, 15368, "alice")
	status, ans = send(t, f, "github", "public", harness.GitHubHeader("check_run", "app-rerun-foreign", githubSecret, foreign), foreign)
	if status != http.StatusOK || len(ans.Runs) != 0 || !strings.Contains(ans.Ignored, "GitHub App 15368") {
		t.Fatalf("re-run of another App's check run: status %d answer %+v, want it ignored", status, ans)
	}
	rerun := harness.GitHubCheckRunRerequested(repo, 7, "ci/lint", "7/lint", headSHA, e2eAppID, "alice")
	status, ans = send(t, f, "github", "public", harness.GitHubHeader("check_run", "app-rerun-alice", githubSecret, rerun), rerun)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "lint" {
		t.Fatalf("re-run by a member: status %d answer %+v, want lint", status, ans)
	}
	checkRunsDone(t, gh, want, map[string]int{"unit": 1, "ci/lint": 2, "docs": 1})
	lintRuns := 0
	for _, pr := range listRuns(t, ns) {
		if pr.Labels["fresnel.dev/job"] == "lint" {
			lintRuns++
		}
	}
	if lintRuns != 2 {
		t.Errorf("lint PipelineRuns = %d, want 2 (the first and the re-run)", lintRuns)
	}
}

// checkAppRuns checks the first round of check runs: one per context,
// updated in place rather than created again, the failure naming its
// step, links to the dashboard, installation tokens on every API call and
// no commit status.
func checkAppRuns(t *testing.T, gh *harness.FakeSCM, runs []harness.GitHubCheckRun) {
	t.Helper()
	per := map[string]int{}
	for _, r := range runs {
		per[r.Name]++
		if r.HeadSHA != headSHA {
			t.Errorf("check run %s on %s, want %s", r.Name, r.HeadSHA, headSHA)
		}
		if r.Name != "docs" && (r.Updates == 0 || !wentInProgress(gh, r) || !strings.HasPrefix(r.DetailsURL, "https://dashboard.example.com/runs/")) {
			t.Errorf("check run %s: %d updates, details %q; want it in progress then completed in place, and linked", r.Name, r.Updates, r.DetailsURL)
		}
		if r.Name == "ci/lint" && !strings.Contains(r.Output.Summary, "Failed step: `lint/vet`") {
			t.Errorf("ci/lint summary %q, want the failed step lint/vet", r.Output.Summary)
		}
	}
	for name, n := range per {
		if n != 1 {
			t.Errorf("%d check runs for %s, want 1", n, name)
		}
	}
	if s := gh.GitHubStatuses(); len(s) != 0 {
		t.Errorf("commit statuses %+v, want none from an App", s)
	}
	for _, c := range gh.Calls("", "/repos/") {
		if c.Auth != "token "+harness.GitHubAppToken(e2eInstallation) {
			t.Errorf("%s %s: Authorization %q, want the installation token", c.Method, c.Path, c.Auth)
		}
	}
}

// wentInProgress reports whether check run r was created or updated as
// in_progress.
func wentInProgress(gh *harness.FakeSCM, r harness.GitHubCheckRun) bool {
	created := `"name":"` + r.Name + `"`
	for _, c := range gh.Calls("", fmt.Sprintf("/repos/%s/check-runs", repo)) {
		mine := c.Method == http.MethodPatch && strings.HasSuffix(c.Path, fmt.Sprintf("/%d", r.ID)) ||
			c.Method == http.MethodPost && strings.Contains(string(c.Body), created)
		if mine && strings.Contains(string(c.Body), `"status":"in_progress"`) {
			return true
		}
	}
	return false
}

// TestGitHubSkippedStatusForUnchangedDocs: with a token, the required
// docs context of a change that touches no docs is a success status
// "Skipped", posted once when the pull request opens, and the jobs that
// ran report as usual.
func TestGitHubSkippedStatusForUnchangedDocs(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 9, headSHA, "main", []string{"main.go"})
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), appJobsConfig)
	body := harness.GitHubPullRequestEvent("opened", repo, 9, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "skip-pr-9", githubSecret, body), body)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "lint,unit" {
		t.Fatalf("opened: status %d answer %+v, want runs lint,unit", status, ans)
	}
	got := waitStatuses(t, gh, map[string]string{"unit": "success", "ci/lint": "failure", "docs": "success"})
	var docs []harness.GitHubStatus
	for _, s := range got {
		if s.Context == "docs" {
			docs = append(docs, s)
		}
	}
	if len(docs) != 1 || docs[0].State != "success" || !strings.HasPrefix(docs[0].Description, "Skipped") || docs[0].SHA != headSHA {
		t.Errorf("docs statuses %+v, want one success Skipped on the head commit", docs)
	}
}
