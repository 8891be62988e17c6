package report

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
)

// latency reads the count and sum of fresnel_report_latency_seconds for
// one provider label.
func latency(t *testing.T, kind string) (count uint64, sum float64) {
	t.Helper()
	var m dto.Metric
	if err := metrics.ReportLatency.WithLabelValues(kind).(prometheus.Histogram).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

func TestObserveLatencyFromCompletion(t *testing.T) {
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(d)} }
	final := func(status corev1.ConditionStatus, changed time.Duration) *apis.Condition {
		c := &apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: "x"}
		c.LastTransitionTime = apis.VolatileTime{Inner: *at(changed)}
		return c
	}
	cases := map[string]struct {
		completion *metav1.Time
		cond       *apis.Condition
		wantCount  uint64
		wantSum    float64
	}{
		"completion time":                    {completion: at(-3 * time.Second), cond: final(corev1.ConditionTrue, -time.Second), wantCount: 1, wantSum: 3},
		"no completion time: the condition":  {cond: final(corev1.ConditionFalse, -2*time.Second), wantCount: 1, wantSum: 2},
		"still running":                      {cond: final(corev1.ConditionUnknown, -5*time.Second)},
		"no status yet":                      {},
		"completion ahead of our clock is 0": {completion: at(4 * time.Second), wantCount: 1, wantSum: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kind := "latency-" + name
			pr := &pipelinev1.PipelineRun{}
			pr.Status.CompletionTime = tc.completion
			if tc.cond != nil {
				// Set as stored: SetCondition would stamp the real time.
				pr.Status.Conditions = duckv1.Conditions{*tc.cond}
			}
			countBefore, sumBefore := latency(t, kind) // the histogram outlives a -count round
			observeLatency(kind, pr, now)
			count, sum := latency(t, kind)
			count, sum = count-countBefore, sum-sumBefore
			if count != tc.wantCount || sum != tc.wantSum {
				t.Errorf("observed %d samples summing %gs, want %d summing %gs", count, sum, tc.wantCount, tc.wantSum)
			}
		})
	}
}

func TestReconcileObservesLatencyOnceForTheFinalReport(t *testing.T) {
	pr := newRun(t, "lint", reportEvent)
	h := newHarness(t, pr)
	before, _ := latency(t, reportKind)
	steps := []struct {
		name   string
		finish bool
		fail   error
		want   uint64
	}{
		{name: "pending report", want: 0},
		{name: "the SCM refuses the final report", finish: true, fail: errors.New("502"), want: 0},
		{name: "final report sent", finish: true, want: 1},
		{name: "reconciled again", finish: true, want: 1},
	}
	for _, step := range steps {
		if step.finish {
			h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
		}
		h.scm.mu.Lock()
		h.scm.fail = step.fail
		h.scm.mu.Unlock()
		err := h.reconcile(t, pr)
		if (err != nil) != (step.fail != nil) {
			t.Fatalf("%s: Reconcile error %v", step.name, err)
		}
		if count, _ := latency(t, reportKind); count-before != step.want {
			t.Errorf("%s: %d latency samples, want %d", step.name, count-before, step.want)
		}
	}
}
