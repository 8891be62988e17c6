package periodic

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clocktesting "k8s.io/utils/clock/testing"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

const ns = "ci"

// periodicJob loads one periodic with the given schedule line
// ("cron: ...", "interval: ..."), its source in extra_refs.
func periodicJob(t *testing.T, name, schedule string) *triggers.Job {
	t.Helper()
	cfg, err := triggers.Parse([]byte(`
periodics:
- name: `+name+`
  `+schedule+`
  extra_refs:
  - org: acme
    repo: widgets
    base_ref: main
    repo_link: https://github.com/acme/widgets
  pipeline_run_spec:
    pipelineRef:
      name: nightly
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Periodics[0]
}

func fakeRuns(t *testing.T) client.WithWatch {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := pipelinev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(scheme).
		WithStatusSubresource(&pipelinev1.PipelineRun{}).Build()
}

func newScheduler(c client.Client, clk *clocktesting.FakeClock, jobs ...*triggers.Job) *Scheduler {
	cfg := &triggers.Config{Periodics: jobs}
	return &Scheduler{
		Jobs: func() *triggers.Config { return cfg }, Runs: c, Creator: c,
		Launch: launch.Options{Namespace: ns}, Clock: clk, MaxWait: time.Hour,
	}
}

func runsOf(t *testing.T, c client.Client) []pipelinev1.PipelineRun {
	t.Helper()
	var list pipelinev1.PipelineRunList
	if err := c.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return Scheduled(&list.Items[i]).Before(Scheduled(&list.Items[j])) })
	return list.Items
}

func ticksOf(runs []pipelinev1.PipelineRun) []string {
	var ticks []string
	for i := range runs {
		ticks = append(ticks, runs[i].Annotations[run.AnnotationScheduled])
	}
	return ticks
}

// finish marks every unfinished run succeeded, started at its tick and
// done a minute later, as Tekton would.
func finish(t *testing.T, c client.Client) {
	t.Helper()
	for _, pr := range runsOf(t, c) {
		if pr.IsDone() {
			continue
		}
		start := Scheduled(&pr)
		pr.Status.StartTime = &metav1.Time{Time: start}
		pr.Status.CompletionTime = &metav1.Time{Time: start.Add(time.Minute)}
		pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue})
		if err := c.Status().Update(context.Background(), &pr); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSchedulerRunsEachTickOnceAndCatchesUpOnce(t *testing.T) {
	c := fakeRuns(t)
	clk := clocktesting.NewFakeClock(at("2026-12-07T09:59:00Z"))
	s := newScheduler(c, clk, periodicJob(t, "hourly", `cron: "0 * * * *"`))
	ctx := context.Background()

	steps := []struct {
		now      string
		wantWake string
	}{
		{"2026-12-07T09:59:00Z", "2026-12-07T10:00:00Z"}, // first seen: waits for its first tick
		{"2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"}, // 10:00 run
		{"2026-12-07T10:30:00Z", "2026-12-07T11:00:00Z"},
		{"2026-12-07T11:00:05Z", "2026-12-07T12:00:05Z"}, // 11:00 run, a little late
		{"2026-12-07T15:42:00Z", "2026-12-07T16:00:00Z"}, // back after an outage: 15:00 only
		{"2026-12-07T15:43:00Z", "2026-12-07T16:00:00Z"},
	}
	for _, step := range steps {
		clk.SetTime(at(step.now))
		wake := s.Pass(ctx)
		finish(t, c)
		wantWake := at(step.wantWake)
		if !wake.Equal(wantWake) && !wake.Equal(at(step.now).Add(time.Hour)) {
			t.Errorf("at %s: next look at %s, want %s", step.now, wake, wantWake)
		}
	}
	want := []string{"2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", "2026-12-07T15:00:00Z"}
	if diff := cmp.Diff(want, ticksOf(runsOf(t, c))); diff != "" {
		t.Errorf("ticks run (-want +got):\n%s", diff)
	}
}

// staleReader lists nothing, as the cache of a replica that has not yet
// seen the run another replica just created.
type staleReader struct{ client.Reader }

func (staleReader) List(context.Context, client.ObjectList, ...client.ListOption) error { return nil }

func TestTwoReplicasStartATickOnce(t *testing.T) {
	c := fakeRuns(t)
	clk := clocktesting.NewFakeClock(at("2026-12-07T10:00:00Z"))
	job := periodicJob(t, "two-replicas", "interval: 10m")
	a := newScheduler(c, clk, job)
	b := newScheduler(c, clk, job)
	b.Runs = staleReader{c}
	exists := testutil.ToFloat64(metrics.PeriodicTicks.WithLabelValues(job.Name, "exists"))

	a.Pass(context.Background())
	b.Pass(context.Background())

	runs := runsOf(t, c)
	if len(runs) != 1 {
		t.Fatalf("%d runs for one tick: %v", len(runs), ticksOf(runs))
	}
	if got := testutil.ToFloat64(metrics.PeriodicTicks.WithLabelValues(job.Name, "exists")) - exists; got != 1 {
		t.Errorf("ticks counted as existing: %v, want 1", got)
	}
}

func TestIntervalFollowsTheLastStart(t *testing.T) {
	c := fakeRuns(t)
	clk := clocktesting.NewFakeClock(at("2026-12-07T10:03:00Z"))
	job := periodicJob(t, "every-ten", "interval: 10m")
	s := newScheduler(c, clk, job)
	for _, now := range []string{"2026-12-07T10:03:00Z", "2026-12-07T10:05:00Z", "2026-12-07T10:10:00Z", "2026-12-07T13:00:00Z", "2026-12-07T13:05:00Z"} {
		clk.SetTime(at(now))
		s.Pass(context.Background())
		finish(t, c)
	}
	// 10:00 (cut to the interval, started then), 10:10, then after the
	// outage one run for 10:20; it "started" at its tick here, so the next
	// is 10:30, due at 13:05.
	want := []string{"2026-12-07T10:00:00Z", "2026-12-07T10:10:00Z", "2026-12-07T10:20:00Z", "2026-12-07T10:30:00Z"}
	if diff := cmp.Diff(want, ticksOf(runsOf(t, c))); diff != "" {
		t.Errorf("ticks run (-want +got):\n%s", diff)
	}
}

func TestSchedulerLoopOnAFakeClock(t *testing.T) {
	c := fakeRuns(t)
	clk := clocktesting.NewFakeClock(at("2026-12-07T10:00:00.5Z"))
	s := newScheduler(c, clk, periodicJob(t, "every-minute", `cron: "@every 1m"`))
	s.MaxWait = 0
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Start(ctx) }()
	for i := 1; i <= 3; i++ {
		waitUntil(t, func() bool { return clk.HasWaiters() })
		clk.Step(time.Minute)
		waitUntil(t, func() bool { return len(runsOf(t, c)) == i })
		finish(t, c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-12-07T10:01:00Z", "2026-12-07T10:02:00Z", "2026-12-07T10:03:00Z"}
	if diff := cmp.Diff(want, ticksOf(runsOf(t, c))); diff != "" {
		t.Errorf("ticks run (-want +got):\n%s", diff)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
