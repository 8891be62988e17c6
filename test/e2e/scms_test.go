package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// scmInstance is one provider instance of a test: its settings entry, its
// webhook secret and its API stand-in.
type scmInstance struct {
	kind, name string
	secret     []byte
	fake       *harness.FakeSCM
	// extra are more settings lines of the instance (username, options).
	extra string
}

func (s scmInstance) file(what string) string { return s.kind + "-" + s.name + "-" + what }

func (s scmInstance) settings() string {
	return fmt.Sprintf("- kind: %s\n  name: %s\n  url: %s\n  secret: {file: %s}\n  token: {file: %s}\n%s",
		s.kind, s.name, s.fake.URL, s.file("secret"), s.file("token"), s.extra)
}

// startSCMFresnel runs fresnel all with these instances and job config.
func startSCMFresnel(t *testing.T, ns, config string, instances ...scmInstance) *harness.Fresnel {
	t.Helper()
	settings, files := scmSettings(ns, config, instances...)
	return startFresnelFiles(t, stack.Kubeconfig, settings, files)
}

// scmSettings is fresnel.yaml for the instances, with the files it names.
func scmSettings(ns, config string, instances ...scmInstance) (string, map[string]string) {
	settings := fmt.Sprintf(`namespace: %s
prow:
  config: config.yaml
report:
  targetURL: "https://dashboard.example.com/runs/{{.Namespace}}/{{.Name}}"
providers:
`, ns)
	files := map[string]string{"config.yaml": config}
	for _, in := range instances {
		settings += in.settings()
		files[in.file("secret")] = string(in.secret)
		files[in.file("token")] = "api-token-" + in.name
	}
	return settings, files
}

// scmJobsTemplate is a passing (unit), a failing (lint, context ci/lint), a
// changed-files (docs) and a manual presubmit of one repository.
const scmJobsTemplate = `  %s:
  - name: unit
    always_run: true
    spec: {containers: [{image: busybox, command: [sh, -c, "exit 0"]}]}
  - name: lint
    always_run: true
    context: ci/lint
    annotations: {fresnel.dev/test-exit-code: "1"}
    spec: {containers: [{image: golangci/golangci-lint, command: [golangci-lint, run]}]}
  - name: docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: busybox, command: [sh, -c, "echo docs"]}]}
  - name: manual
    spec: {containers: [{image: busybox, command: [sh, -c, "echo manual"]}]}
`

// scmJobs is the job config with scmJobsTemplate's jobs for each repo.
func scmJobs(repos ...string) string {
	config := "presubmits:\n"
	for _, repo := range repos {
		config += fmt.Sprintf(scmJobsTemplate, repo)
	}
	return config
}

// delivery is one webhook as an SCM sends it: path (with any query),
// header and body.
type delivery struct {
	path   string
	header http.Header
	body   []byte
}

func sendDelivery(t *testing.T, f *harness.Fresnel, d delivery) (int, hookAnswer) {
	t.Helper()
	return sendPath(t, f, d.path, d.header, d.body)
}

// reported is one status an SCM stand-in received, in that SCM's words.
type reported struct {
	// Where is what the call named: a repository, a change, or nothing.
	Where, SHA, Context, State string
}

// settle is how long a test waits after the last expected report, so that
// a duplicate would have arrived.
const settle = 2 * time.Second

// waitFinals waits until read returns a final (non-pending) status for
// every context in want.
func waitFinals(t *testing.T, read func() []reported, pending string, want map[string]string) {
	t.Helper()
	var got []reported
	err := harness.WaitFor(90*time.Second, 200*time.Millisecond, func() (bool, error) {
		got = read()
		final := map[string]bool{}
		for _, r := range got {
			if r.State != pending {
				final[r.Context] = true
			}
		}
		return len(final) >= len(want), nil
	})
	if err != nil {
		t.Fatalf("final statuses: want %v, got %+v", want, got)
	}
}

// checkReportedOnceAt asserts exactly one final status per wanted context,
// in the wanted state, at most one pending status (in the SCM's pending
// state) before it, all on where and sha, and nothing for other contexts.
func checkReportedOnceAt(t *testing.T, got []reported, where, sha, pending string, want map[string]string) {
	t.Helper()
	finals, pendings := map[string][]string{}, map[string]int{}
	for _, r := range got {
		if r.Where != where || r.SHA != sha {
			t.Errorf("status %+v: want it on %q at %s", r, where, sha)
		}
		if r.State == pending {
			pendings[r.Context]++
			continue
		}
		finals[r.Context] = append(finals[r.Context], r.State)
	}
	for ctx, state := range want {
		if len(finals[ctx]) != 1 || finals[ctx][0] != state {
			t.Errorf("context %s: final statuses %q, want exactly [%s]", ctx, finals[ctx], state)
		}
		if pendings[ctx] > 1 {
			t.Errorf("context %s: %d pending statuses, want at most 1", ctx, pendings[ctx])
		}
	}
	if len(finals) != len(want) || len(pendings) > len(want) {
		t.Errorf("statuses for contexts %v (pending %v), want only %v", finals, pendings, want)
	}
}

// checkAnswered asserts the stand-in had an answer for every call fresnel
// made: a 404 means fresnel called a path the real API does not have.
func checkAnswered(t *testing.T, fake *harness.FakeSCM) {
	t.Helper()
	for _, c := range fake.Calls("", "") {
		if c.Status == http.StatusNotFound {
			t.Errorf("unanswered API call %s %s", c.Method, c.Path)
		}
	}
}

// providerFlow is what one SCM's end-to-end test sends and expects.
type providerFlow struct {
	instance scmInstance
	// owner/name is the repository, as REPO_OWNER and REPO_NAME.
	owner, name string
	number      int
	// sha is the head commit as the SCM gives it.
	sha string
	// opened opens the pull request (merge request, change); redelivered
	// is the SCM's resend of it (opened itself when empty); comment asks
	// "/test manual" on it; forged is opened signed with a wrong secret.
	opened, redelivered, comment, forged delivery
	// reported reads back the stand-in; where is where statuses must
	// land; pending, success and failure are the SCM's words for states.
	reported                         func() []reported
	where, pending, success, failure string
	// skipped are the contexts the SCM is told a change did not need
	// (docs, when it touches no docs), with the state they get.
	skipped map[string]string
}

// withSkipped is want plus the contexts fl marks skipped.
func (fl providerFlow) withSkipped(want map[string]string) map[string]string {
	out := maps.Clone(want)
	maps.Copy(out, fl.skipped)
	return out
}

// runProviderFlow drives one SCM end to end: a pull request starts its
// presubmits, whose PipelineRuns exist when the 2xx returns and carry its
// numbers; a redelivery creates nothing; "/test manual" starts that job;
// each result is reported once; a forged delivery is refused.
func runProviderFlow(t *testing.T, ns string, fl providerFlow) {
	defer fl.instance.fake.Close()
	f := startSCMFresnel(t, ns, scmJobs(fl.owner+"/"+fl.name), fl.instance)

	status, ans := sendDelivery(t, f, fl.opened)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "docs,lint,unit" {
		t.Fatalf("opened: status %d answer %+v, want runs docs,lint,unit", status, ans)
	}
	checkRuns(t, ns, fl, 3)
	if fl.redelivered.body == nil {
		fl.redelivered = fl.opened
	}
	checkRedelivery(t, f, ns, fl.redelivered, 3)

	status, ans = sendDelivery(t, f, fl.comment)
	if status != http.StatusOK || strings.Join(runNames(ans), ",") != "manual" || !ans.Runs[0].Created {
		t.Fatalf("/test manual: status %d answer %+v, want a new manual run", status, ans)
	}
	checkRuns(t, ns, fl, 4)

	want := map[string]string{"unit": fl.success, "ci/lint": fl.failure, "docs": fl.success, "manual": fl.success}
	waitFinals(t, fl.reported, fl.pending, want)
	time.Sleep(settle)
	checkReportedOnceAt(t, fl.reported(), fl.where, fl.sha, fl.pending, want)
	checkAnswered(t, fl.instance.fake)

	status, ans = sendDelivery(t, f, fl.forged)
	if status != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d answer %+v, want 401", status, ans)
	}
	if n := len(listRuns(t, ns)); n != 4 {
		t.Errorf("PipelineRuns at the end = %d, want 4", n)
	}
}

// checkRuns asserts n PipelineRuns exist, each with the pull request's
// params and the instance's labels.
func checkRuns(t *testing.T, ns string, fl providerFlow, n int) {
	t.Helper()
	runs := listRuns(t, ns)
	if len(runs) != n {
		t.Fatalf("PipelineRuns right after the answer = %d, want %d", len(runs), n)
	}
	for _, pr := range runs {
		p := params(pr)
		checks := map[string]string{
			"JOB_NAME": pr.Labels["fresnel.dev/job"], "JOB_TYPE": "presubmit", "REPO_OWNER": fl.owner, "REPO_NAME": fl.name,
			"PULL_NUMBER": fmt.Sprint(fl.number), "PULL_PULL_SHA": fl.sha, "PULL_BASE_REF": "main",
		}
		for name, want := range checks {
			if p[name] != want {
				t.Errorf("%s: param %s = %q, want %q", pr.Name, name, p[name], want)
			}
		}
		if pr.Labels["fresnel.dev/provider"] != fl.instance.kind || pr.Annotations["fresnel.dev/instance"] != fl.instance.name ||
			pr.Annotations["fresnel.dev/repo"] != fl.owner+"/"+fl.name {
			t.Errorf("%s: labels %v annotations %v", pr.Name, pr.Labels, pr.Annotations)
		}
	}
}

// checkRedelivery sends d again: same runs, none created, n in all.
func checkRedelivery(t *testing.T, f *harness.Fresnel, ns string, d delivery, n int) {
	t.Helper()
	status, again := sendDelivery(t, f, d)
	if status != http.StatusOK || len(again.Runs) != n {
		t.Fatalf("redelivery: status %d answer %+v", status, again)
	}
	for _, r := range again.Runs {
		if r.Created {
			t.Errorf("redelivery created %s", r.Name)
		}
	}
	if got := len(listRuns(t, ns)); got != n {
		t.Fatalf("PipelineRuns after redelivery = %d, want %d", got, n)
	}
}
