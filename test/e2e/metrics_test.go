package e2e

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// observedJobs has one job limited to one run at a time, so that the
// controller's queue is at work too.
const observedJobs = `
presubmits:
  acme/widgets:
  - name: observed
    always_run: true
    max_concurrency: 1
    annotations:
      fresnel.dev/test-duration: 1s
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: observed
          taskSpec:
            steps:
            - name: test
              image: busybox
              script: exit 0
`

// notTriggered are the documented metrics this test's one pull request
// does not count; a vector metric has no series until it counts.
var notTriggered = map[string]string{
	"fresnel_parser_panics_total":              "no parser panics",
	"fresnel_inrepo_loads_total":               "no in-repo jobs",
	"fresnel_external_plugin_deliveries_total": "no external plugins",
	"fresnel_external_plugin_retries_total":    "no external plugins",
	"fresnel_external_plugin_duration_seconds": "no external plugins",
	"fresnel_refusals_total":                   "no one is refused",
	"fresnel_periodic_ticks_total":             "no periodic jobs",
	"fresnel_periodic_runs_total":              "no periodic jobs",
	"fresnel_gc_deletions_total":               "nothing old enough to collect",
}

func TestEachRoleServesTheDocumentedMetrics(t *testing.T) {
	documented := documentedMetrics(t)
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := githubSettings(ns, gh.URL)
	webhook := startObservedRole(t, "webhook", settings)
	controller := startObservedRole(t, "controller", settings, "--leader-elect")
	runOnePullRequest(t, webhook, gh)

	served := map[string]map[string]bool{
		"webhook":    scrapeFamilies(t, webhook.URL+"/metrics"),
		"controller": scrapeFamilies(t, controller.MetricsURL+"/metrics"),
	}
	for role, names := range documented {
		checkServed(t, role+"'s /metrics", served[role], names)
	}
	if served["webhook"]["controller_runtime_reconcile_total"] {
		t.Error("the webhook serves controller-runtime's metrics; docs/operations.md says only the controller does")
	}
	checkControllerProbes(t, controller.MetricsURL)
	if got := sampleValue(t, controller.MetricsURL+"/metrics", "fresnel_controller_leader"); got != "1" {
		t.Errorf("the only controller's fresnel_controller_leader = %s, want 1", got)
	}

	// A second replica waits for the Lease: ready, but not leading.
	standby := startObservedRole(t, "controller", settings, "--leader-elect")
	checkControllerProbes(t, standby.MetricsURL)
	if got := sampleValue(t, standby.MetricsURL+"/metrics", "fresnel_controller_leader"); got != "0" {
		t.Errorf("the standby's fresnel_controller_leader = %s, want 0", got)
	}
}

// TestAllServesEveryMetricAtMetricsAddr checks that fresnel all, with
// leader election on, serves both roles' metrics at --metrics-addr.
func TestAllServesEveryMetricAtMetricsAddr(t *testing.T) {
	documented := documentedMetrics(t)
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	all := startObservedRole(t, "all", githubSettings(ns, gh.URL), "--leader-elect")
	runOnePullRequest(t, all, gh)

	served := scrapeFamilies(t, all.MetricsURL+"/metrics")
	checkServed(t, "all's --metrics-addr", served, append(documented["webhook"], documented["controller"]...))
	checkControllerProbes(t, all.MetricsURL)
}

// runOnePullRequest opens a pull request through f and waits for its
// run's success to be reported.
func runOnePullRequest(t *testing.T, f *harness.Fresnel, gh *harness.FakeSCM) {
	t.Helper()
	const sha = "0123456789012345678901234567890123456789"
	gh.GitHubPullRequest(repo, 11, sha, "main", []string{"main.go"})
	body := harness.GitHubPullRequestEvent("opened", repo, 11, sha, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "metrics-1", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 1 {
		t.Fatalf("status %d, answer %+v", status, ans)
	}
	waitStatuses(t, gh, map[string]string{"observed": "success"})
}

// checkServed reports each documented name a scrape lacks, but for
// those this test does not trigger.
func checkServed(t *testing.T, where string, served map[string]bool, documented []string) {
	t.Helper()
	for _, name := range documented {
		if notTriggered[name] == "" && !served[name] {
			t.Errorf("%s lacks %s, which docs/operations.md lists for it", where, name)
		}
	}
}

// checkControllerProbes expects 200 from the controller's probes.
func checkControllerProbes(t *testing.T, base string) {
	t.Helper()
	for _, path := range []string{"/healthz", "/readyz", "/readyz/informers"} {
		if code := probeStatus(t, base+path); code != http.StatusOK {
			t.Errorf("%s: %d, want 200", path, code)
		}
	}
}

// startObservedRole runs one fresnel role with settings and the GitHub files.
func startObservedRole(t *testing.T, role, settings string, args ...string) *harness.Fresnel {
	t.Helper()
	files := map[string]string{"config.yaml": observedJobs, "github-hmac": string(githubSecret), "github-token": "ghp_e2e"}
	f, err := harness.StartFresnel(t.Context(), t.TempDir(), harness.FresnelOptions{
		Binary: binary, Role: role, Kubeconfig: stack.Kubeconfig, Settings: settings, Files: files, Args: args,
	})
	if err != nil {
		t.Fatalf("start fresnel %s: %v", role, err)
	}
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("fresnel %s logs:\n%s", role, f.Logs())
		}
	})
	return f
}

// metricRow is a row of a metrics table in docs/operations.md: the name,
// then the roles that serve it.
var metricRow = regexp.MustCompile("^\\| `([a-z_]+)` \\| ([a-z, ]+) \\|")

// documentedMetrics reads the metrics tables of docs/operations.md: the
// names each role serves.
func documentedMetrics(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "\n## Metrics")
	if start < 0 {
		t.Fatal("docs/operations.md has no Metrics section")
	}
	section, _, _ := strings.Cut(text[start+1:], "\n## ")
	byRole := map[string][]string{}
	for _, line := range strings.Split(section, "\n") {
		m := metricRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, role := range strings.Split(m[2], ",") {
			role = strings.TrimSpace(role)
			if role != "webhook" && role != "controller" {
				t.Errorf("docs/operations.md: %s is served by %q, want webhook or controller", m[1], role)
			}
			byRole[role] = append(byRole[role], m[1])
		}
	}
	if len(byRole["webhook"]) < 5 || len(byRole["controller"]) < 10 {
		t.Fatalf("docs/operations.md lists too few metrics per role: %v", byRole)
	}
	return byRole
}

// scrapeFamilies reads a /metrics page and returns the names of its families.
func scrapeFamilies(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# TYPE "); ok {
			names[strings.Fields(rest)[0]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// sampleValue returns the value of an unlabelled metric on a /metrics page.
func sampleValue(t *testing.T, url, name string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return v
		}
	}
	t.Fatalf("%s has no sample of %s (%v)", url, name, sc.Err())
	return ""
}

func probeStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
