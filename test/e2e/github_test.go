package e2e

import (
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

const (
	repo    = "acme/widgets"
	headSHA = "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c"
)

// jobsConfig has a passing, a failing, a changed-files and a manual
// presubmit, and one postsubmit; each written in a different run format.
const jobsConfig = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: unit
          taskSpec:
            steps:
            - name: test
              image: busybox
              script: exit 0
  - name: lint
    always_run: true
    context: ci/lint
    annotations:
      fresnel.dev/test-exit-code: "1"
    tekton_pipeline_run_spec:
      v1:
        pipelineSpec:
          tasks:
          - name: lint
            taskSpec:
              steps:
              - name: lint
                image: golangci/golangci-lint
                script: golangci-lint run
  - name: docs
    run_if_changed: '^docs/'
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo docs"]
  - name: manual
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo manual"]
postsubmits:
  acme/widgets:
  - name: publish
    branches: [main]
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "echo publish"]
`

func runNames(ans hookAnswer) []string {
	var jobs []string
	for _, r := range ans.Runs {
		jobs = append(jobs, r.Job)
	}
	sort.Strings(jobs)
	return jobs
}

func TestPullRequestOpenedRunsAndReportsOnce(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 7, headSHA, "main", []string{"docs/guide.md", "main.go"})
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), jobsConfig)

	body := harness.GitHubPullRequestEvent("opened", repo, 7, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "delivery-pr-7", githubSecret, body), body)
	if status != http.StatusOK {
		t.Fatalf("status = %d, answer %+v", status, ans)
	}
	if got, want := strings.Join(runNames(ans), ","), "docs,lint,unit"; got != want {
		t.Fatalf("runs = %s, want %s (answer %+v)", got, want, ans)
	}
	// Every run exists once the 2xx is back.
	runs := listRuns(t, ns)
	if len(runs) != 3 {
		t.Fatalf("PipelineRuns right after the answer = %d, want 3", len(runs))
	}
	for _, pr := range runs {
		p := params(pr)
		checks := map[string]string{
			"JOB_NAME": pr.Labels["fresnel.dev/job"], "JOB_TYPE": "presubmit", "REPO_OWNER": "acme", "REPO_NAME": "widgets",
			"PULL_NUMBER": "7", "PULL_PULL_SHA": headSHA, "PULL_BASE_REF": "main", "PULL_PULL_REF": "refs/pull/7/head",
			"PULL_REFS": "main:1111111111111111111111111111111111111111,7:" + headSHA,
		}
		for name, want := range checks {
			if p[name] != want {
				t.Errorf("%s: param %s = %q, want %q", pr.Name, name, p[name], want)
			}
		}
		if !strings.Contains(p["JOB_SPEC"], `"type":"presubmit"`) {
			t.Errorf("%s: JOB_SPEC = %s", pr.Name, p["JOB_SPEC"])
		}
		if pr.Annotations["fresnel.dev/sha"] != headSHA || pr.Annotations["fresnel.dev/delivery"] != "delivery-pr-7" || pr.Labels["fresnel.dev/pull"] != "7" {
			t.Errorf("%s: labels %v annotations %v", pr.Name, pr.Labels, pr.Annotations)
		}
	}

	// The same delivery again creates nothing new.
	status, again := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "delivery-pr-7", githubSecret, body), body)
	if status != http.StatusOK || len(again.Runs) != 3 {
		t.Fatalf("redelivery: status %d answer %+v", status, again)
	}
	for _, r := range again.Runs {
		if r.Created {
			t.Errorf("redelivery created %s", r.Name)
		}
	}
	if n := len(listRuns(t, ns)); n != 3 {
		t.Fatalf("PipelineRuns after redelivery = %d, want 3", n)
	}

	want := map[string]string{"unit": "success", "ci/lint": "failure", "docs": "success"}
	waitStatuses(t, gh, want)
	// Restart: a new controller must not report any state again.
	f.Stop()
	f2 := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), jobsConfig)
	_ = f2
	time.Sleep(3 * time.Second)
	checkReportedOnce(t, gh.GitHubStatuses(), want)
}

// checkReportedOnce asserts exactly one final status per context, with the
// wanted state, at most one pending before it, and the target URL set.
func checkReportedOnce(t *testing.T, got []harness.GitHubStatus, want map[string]string) {
	t.Helper()
	finals, pendings := map[string][]string{}, map[string]int{}
	for _, s := range got {
		if s.SHA != headSHA {
			t.Errorf("status on %s, want %s", s.SHA, headSHA)
		}
		if !strings.HasPrefix(s.TargetURL, "https://dashboard.example.com/runs/") {
			t.Errorf("target URL = %q", s.TargetURL)
		}
		if s.State == "pending" {
			pendings[s.Context]++
			continue
		}
		finals[s.Context] = append(finals[s.Context], s.State)
	}
	for ctx, state := range want {
		if len(finals[ctx]) != 1 || finals[ctx][0] != state {
			t.Errorf("context %s: final statuses %v, want exactly [%s]", ctx, finals[ctx], state)
		}
		if pendings[ctx] > 1 {
			t.Errorf("context %s: %d pending statuses, want at most 1", ctx, pendings[ctx])
		}
	}
	if len(finals) != len(want) {
		t.Errorf("final statuses for %v, want only %v", finals, want)
	}
}

func TestBadInputIsRefusedAndStartsNothing(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), jobsConfig)
	body := harness.GitHubPullRequestEvent("opened", repo, 8, headSHA, "main")

	tests := []struct {
		name       string
		header     func() http.Header
		body       []byte
		wantStatus int
		wantInBody string
	}{
		{"wrong signature", func() http.Header { return harness.GitHubHeader("pull_request", "d1", []byte("wrong"), body) }, body, 401, "signature"},
		{"missing signature", func() http.Header {
			h := harness.GitHubHeader("pull_request", "d2", githubSecret, body)
			h.Del("X-Hub-Signature-256")
			return h
		}, body, 401, "X-Hub-Signature-256"},
		{"malformed JSON", func() http.Header {
			return harness.GitHubHeader("pull_request", "d3", githubSecret, []byte("{not json"))
		}, []byte("{not json"), 400, "bad payload"},
		{"pull_request null", func() http.Header {
			return harness.GitHubHeader("pull_request", "d4", githubSecret, []byte(`{"action":"opened","pull_request":null}`))
		}, []byte(`{"action":"opened","pull_request":null}`), 400, "bad payload"},
		{"unknown event", func() http.Header { return harness.GitHubHeader("sponsorship", "d5", githubSecret, []byte(`{}`)) }, []byte(`{}`), 200, "sponsorship"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, ans := send(t, f, "github", "public", tc.header(), tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (answer %+v)", status, tc.wantStatus, ans)
			}
			if !strings.Contains(ans.Error+ans.Ignored, tc.wantInBody) {
				t.Fatalf("answer %+v does not say %q", ans, tc.wantInBody)
			}
		})
	}
	if n := len(listRuns(t, ns)); n != 0 {
		t.Fatalf("bad input created %d PipelineRuns", n)
	}
}

func TestApiserverDownAnswers5xxThenRedeliveryCreatesOnce(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	kc := proxiedKubeconfig(t)
	kubeconfig, proxy := kc.path, kc.proxy
	config := `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "true"]
`
	f := startFresnel(t, kubeconfig, githubSettings(ns, gh.URL), config)
	body := harness.GitHubPullRequestEvent("opened", repo, 9, headSHA, "main")
	header := harness.GitHubHeader("pull_request", "delivery-down", githubSecret, body)

	proxy.SetDown(true)
	resp, data, err := f.Send("github", "public", header, body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(data), "delivery-down") {
		t.Fatalf("with the apiserver unreachable: %d Retry-After %q %s; want 503 with a Retry-After naming the delivery", resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
	proxy.SetDown(false)
	var status int
	var ans hookAnswer
	var created int
	err = harness.WaitFor(30*time.Second, 500*time.Millisecond, func() (bool, error) {
		status, ans = send(t, f, "github", "public", header, body)
		for _, r := range ans.Runs {
			if r.Created {
				created++
			}
		}
		return status == http.StatusOK, nil
	})
	if err != nil {
		t.Fatalf("redelivery after the apiserver came back: status %d answer %+v", status, ans)
	}
	if created != 1 {
		t.Fatalf("runs created over the redeliveries = %d, want 1", created)
	}
	if n := len(listRuns(t, ns)); n != 1 {
		t.Fatalf("PipelineRuns = %d, want exactly 1", n)
	}
}

func TestPushRunsPostsubmitsOnTheirBranch(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), jobsConfig)

	body := harness.GitHubPushEvent(repo, "refs/heads/main", headSHA, []string{"main.go"})
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("push", "push-main", githubSecret, body), body)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "publish" {
		t.Fatalf("push to main: status %d answer %+v, want the publish run", status, ans)
	}
	body = harness.GitHubPushEvent(repo, "refs/heads/feature", headSHA, []string{"main.go"})
	status, ans = send(t, f, "github", "public", harness.GitHubHeader("push", "push-feature", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 0 {
		t.Fatalf("push to feature: status %d answer %+v, want no runs", status, ans)
	}
	pr := listRuns(t, ns)
	if len(pr) != 1 || pr[0].Labels["fresnel.dev/type"] != "postsubmit" || params(pr[0])["PULL_BASE_SHA"] != headSHA {
		t.Fatalf("PipelineRuns = %+v", pr)
	}
	waitStatuses(t, gh, map[string]string{"publish": "success"})
}

func TestTestCommandRunsTheNamedJob(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 11, headSHA, "main", []string{"main.go"})
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), jobsConfig)

	body := harness.GitHubPullRequestComment(repo, 11, "alice", "Looks good.\n/test manual")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("issue_comment", "comment-1", githubSecret, body), body)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "manual" {
		t.Fatalf("/test manual: status %d answer %+v", status, ans)
	}
	runs := listRuns(t, ns)
	if len(runs) != 1 || params(runs[0])["PULL_PULL_SHA"] != headSHA {
		t.Fatalf("PipelineRuns = %+v", runs)
	}
	// A comment without a command reads nothing from the API.
	before := len(gh.Calls(http.MethodGet, ""))
	body = harness.GitHubPullRequestComment(repo, 11, "alice", "thanks!")
	if status, ans := send(t, f, "github", "public", harness.GitHubHeader("issue_comment", "comment-2", githubSecret, body), body); status != 200 || len(ans.Runs) != 0 {
		t.Fatalf("plain comment: status %d answer %+v", status, ans)
	}
	if after := len(gh.Calls(http.MethodGet, "")); after != before {
		t.Fatalf("plain comment made %d API reads", after-before)
	}
}

func TestJobConfigHotReload(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	one := "presubmits:\n  acme/widgets:\n  - name: first\n    always_run: true\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n"
	f := startFresnel(t, stack.Kubeconfig, githubSettings(ns, gh.URL), one)
	configPath := f.Dir + "/config.yaml"
	sendPR := func(n int) hookAnswer {
		body := harness.GitHubPullRequestEvent("opened", repo, n, headSHA, "main")
		status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "reload-"+strconv.Itoa(n), githubSecret, body), body)
		if status != http.StatusOK {
			t.Fatalf("status %d answer %+v", status, ans)
		}
		return ans
	}
	waitJobs := func(want string) {
		t.Helper()
		n := 100
		err := harness.WaitFor(15*time.Second, 300*time.Millisecond, func() (bool, error) {
			n++
			return strings.Join(runNames(sendPR(n)), ",") == want, nil
		})
		if err != nil {
			t.Fatalf("jobs never became %s", want)
		}
	}
	two := one + "  - name: second\n    always_run: true\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n"
	if err := os.WriteFile(configPath, []byte(two), 0o600); err != nil {
		t.Fatal(err)
	}
	waitJobs("first,second")

	// A broken configuration is rejected: the last good one stays.
	if err := os.WriteFile(configPath, []byte("presubmits:\n  acme/widgets:\n  - name: broken\n    bogus_field: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if got := strings.Join(runNames(sendPR(1)), ","); got != "first,second" {
		t.Fatalf("after a broken config, jobs = %s, want first,second", got)
	}
	if !strings.Contains(f.Logs(), "job configuration rejected") {
		t.Fatalf("the rejection was not logged")
	}
}
