package e2e

import (
	"bufio"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"knative.dev/pkg/apis"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// periodicJobs has a cron periodic every two seconds and an interval one
// every three, both on acme/widgets through extra_refs.
const periodicJobs = `
periodics:
- name: cron-every-2s
  cron: "@every 2s"
  extra_refs:
  - {org: acme, repo: widgets, base_ref: main, repo_link: "https://github.com/acme/widgets"}
  pipeline_run_spec:
    pipelineSpec:
      tasks:
      - name: tick
        taskSpec:
          steps:
          - {name: tick, image: busybox, script: "exit 0"}
- name: interval-3s
  interval: 3s
  extra_refs:
  - {org: acme, repo: widgets, base_ref: main, repo_link: "https://github.com/acme/widgets"}
  pipeline_run_spec:
    pipelineSpec:
      tasks:
      - name: tick
        taskSpec:
          steps:
          - {name: tick, image: busybox, script: "exit 0"}
`

// TestPeriodicsRunOncePerTickAcrossAFailover runs two controllers with
// leader election, kills the leader with SIGKILL once each periodic has
// run a few times, and checks that every tick ran once, that no run of a
// job overlapped another, and that the ticks missed while no controller
// led were caught up by one run each job.
func TestPeriodicsRunOncePerTickAcrossAFailover(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := githubSettings(ns, gh.URL)
	a := startController(t, settings)
	b := startController(t, settings)

	leader, follower := a, b
	waitFor(t, "a leader", func() bool {
		switch {
		case leaderGauge(t, a) == 1:
			return true
		case leaderGauge(t, b) == 1:
			leader, follower = b, a
			return true
		}
		return false
	})
	waitFor(t, "three runs of each periodic", func() bool { return minRuns(t, ns, time.Time{}) >= 3 })
	killed := time.Now()
	if err := syscall.Kill(leader.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other controller to lead", func() bool { return leaderGauge(t, follower) == 1 })
	tookOver := time.Now().Add(time.Second) // past the second of any run made on taking over
	waitFor(t, "three more runs of each periodic", func() bool { return minRuns(t, ns, tookOver) >= 3 })
	metrics := scrape(t, follower)
	follower.Stop()
	waitFor(t, "every run to finish", func() bool { return allDone(t, ns) })

	byJob := map[string][]pipelinev1.PipelineRun{}
	for _, pr := range listRuns(t, ns) {
		byJob[pr.Labels[runmeta.LabelJob]] = append(byJob[pr.Labels[runmeta.LabelJob]], pr)
	}
	checkCronRuns(t, byJob["cron-every-2s"], killed)
	checkIntervalRuns(t, byJob["interval-3s"])
	if !strings.Contains(metrics, `fresnel_periodic_runs_total{job="cron-every-2s",result="success"}`) {
		t.Errorf("the new leader counted no finished periodic run in fresnel_periodic_runs_total:\n%s", metrics)
	}
}

// startController starts `fresnel controller --leader-elect`.
func startController(t *testing.T, settings string) *harness.Fresnel {
	t.Helper()
	files := map[string]string{"config.yaml": periodicJobs, "github-hmac": string(githubSecret), "github-token": "ghp_e2e"}
	f, err := harness.StartFresnel(t.Context(), t.TempDir(), harness.FresnelOptions{
		Binary: binary, Role: "controller", Kubeconfig: stack.Kubeconfig, Settings: settings, Files: files,
		Args: []string{"--leader-elect"},
	})
	if err != nil {
		t.Fatalf("start controller: %v", err)
	}
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("controller logs:\n%s", f.Logs())
		}
	})
	return f
}

// scrape reads a controller's /metrics; "" once it is gone.
func scrape(t *testing.T, f *harness.Fresnel) string {
	t.Helper()
	resp, err := http.Get(f.MetricsURL + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "fresnel_") {
			b.WriteString(sc.Text() + "\n")
		}
	}
	return b.String()
}

// leaderGauge is a controller's fresnel_controller_leader, -1 when unread.
func leaderGauge(t *testing.T, f *harness.Fresnel) float64 {
	for _, line := range strings.Split(scrape(t, f), "\n") {
		if v, ok := strings.CutPrefix(line, "fresnel_controller_leader "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// minRuns is the fewest runs created since since over the two jobs.
func minRuns(t *testing.T, ns string, since time.Time) int {
	n := map[string]int{"cron-every-2s": 0, "interval-3s": 0}
	for _, pr := range listRuns(t, ns) {
		if !pr.CreationTimestamp.Time.Before(since.Truncate(time.Second)) {
			n[pr.Labels[runmeta.LabelJob]]++
		}
	}
	return min(n["cron-every-2s"], n["interval-3s"])
}

func allDone(t *testing.T, ns string) bool {
	for _, pr := range listRuns(t, ns) {
		if !pr.IsDone() {
			return false
		}
	}
	return true
}

// byTick sorts runs by the tick they ran for and returns the ticks.
func byTick(t *testing.T, runs []pipelinev1.PipelineRun) []time.Time {
	t.Helper()
	ticks := make(map[string]time.Time, len(runs))
	for _, pr := range runs {
		tick, err := time.Parse(time.RFC3339, pr.Annotations[runmeta.AnnotationScheduled])
		if err != nil {
			t.Fatalf("%s: scheduled %q: %v", pr.Name, pr.Annotations[runmeta.AnnotationScheduled], err)
		}
		ticks[pr.Name] = tick
	}
	sort.Slice(runs, func(i, j int) bool { return ticks[runs[i].Name].Before(ticks[runs[j].Name]) })
	out := make([]time.Time, len(runs))
	for i, pr := range runs {
		out[i] = ticks[pr.Name]
	}
	return out
}

// checkOnePerTick checks each tick has one run, each run succeeded, and
// no run started before the one of the previous tick finished.
func checkOnePerTick(t *testing.T, runs []pipelinev1.PipelineRun) []time.Time {
	t.Helper()
	if len(runs) < 6 {
		t.Fatalf("only %d runs", len(runs))
	}
	ticks := byTick(t, runs)
	for i, pr := range runs {
		if !pr.Status.GetCondition(apis.ConditionSucceeded).IsTrue() {
			t.Errorf("%s (tick %s) did not succeed: %+v", pr.Name, ticks[i], pr.Status.Conditions)
		}
		if i == 0 {
			continue
		}
		if !ticks[i].After(ticks[i-1]) {
			t.Errorf("tick %s ran twice: %s and %s", ticks[i], runs[i-1].Name, pr.Name)
		}
		if prev := runs[i-1].Status.CompletionTime; prev == nil || pr.CreationTimestamp.Before(prev) {
			t.Errorf("%s was created at %s, before %s finished (%v)", pr.Name, pr.CreationTimestamp, runs[i-1].Name, prev)
		}
	}
	return ticks
}

// checkCronRuns checks the cron periodic: ticks two seconds apart, and
// each run for the latest tick due when it was made, so the outage left
// one run for its missed ticks, not one per tick.
func checkCronRuns(t *testing.T, runs []pipelinev1.PipelineRun, killed time.Time) {
	t.Helper()
	ticks := checkOnePerTick(t, runs)
	gap := time.Duration(0)
	for i := 1; i < len(runs); i++ {
		if d := ticks[i].Sub(ticks[i-1]); d%(2*time.Second) != 0 {
			t.Errorf("ticks %s and %s are not on the 2s schedule", ticks[i-1], ticks[i])
		} else if d > gap {
			gap = d
		}
		// The latest tick due when the run was made is less than a period
		// before then, and it was made after the previous run was.
		if created := runs[i-1].CreationTimestamp.Time; !ticks[i].Add(2 * time.Second).After(created) {
			t.Errorf("%s ran for tick %s, over a period before %s was created at %s: missed ticks ran one by one",
				runs[i].Name, ticks[i], runs[i-1].Name, created)
		}
	}
	if gap < 10*time.Second {
		t.Errorf("largest gap between ticks run is %s; the failover after %s should leave one of ten seconds or more", gap, killed.Format(time.TimeOnly))
	}
}

// checkIntervalRuns checks the interval periodic: each tick is three
// seconds after the start of the previous run, as the cluster records it.
func checkIntervalRuns(t *testing.T, runs []pipelinev1.PipelineRun) {
	t.Helper()
	ticks := checkOnePerTick(t, runs)
	for i := 1; i < len(runs); i++ {
		start := runs[i-1].Status.StartTime
		if start == nil {
			t.Errorf("%s has no start time", runs[i-1].Name)
			continue
		}
		if want := start.Add(3 * time.Second); !ticks[i].Equal(want) {
			t.Errorf("%s ran for tick %s, want %s (3s after %s started)", runs[i].Name, ticks[i], want, runs[i-1].Name)
		}
	}
	t.Logf("interval ticks: %v", ticks)
}
