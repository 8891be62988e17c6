package lifecycle

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
)

func TestQueuedRunsGaugeCountsWhatIsLeftWaiting(t *testing.T) {
	th, _ := newThrottle(t,
		queuedRun("busy", "gauge-e2e", "2", 0, running),
		queuedRun("a", "gauge-e2e", "2", 1, queued),
		queuedRun("b", "gauge-e2e", "2", 2, queued),
		queuedRun("c", "gauge-e2e", "2", 3, queued),
		queuedRun("done", "gauge-e2e", "2", 4, finished),
		queuedRun("other", "gauge-lint", "1", 0, queued),
	)
	steps := []struct {
		name, reconcile string
		want            map[string]float64
	}{
		// One slot of two is free: a starts, b and c wait.
		{name: "first pass", reconcile: "c", want: map[string]float64{"gauge-e2e": 2}},
		{name: "no slot free: nothing changes", reconcile: "a", want: map[string]float64{"gauge-e2e": 2}},
		// Each job has its own series; lint's one run starts at once.
		{name: "another job", reconcile: "other", want: map[string]float64{"gauge-e2e": 2, "gauge-lint": 0}},
	}
	for _, step := range steps {
		reconcile(t, th, step.reconcile)
		for job, want := range step.want {
			if got := testutil.ToFloat64(metrics.QueuedRuns.WithLabelValues(job)); got != want {
				t.Errorf("%s: fresnel_queued_runs{job=%q} = %v, want %v", step.name, job, got, want)
			}
		}
	}
}
