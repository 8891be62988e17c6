package fault

import (
	"syscall"
	"testing"
	"time"
)

// TestKillMidBurst kills fresnel with SIGKILL in the middle of a paced
// burst of GitHub and GitLab deliveries, starts a new process, lets the
// burst go on against it, then redelivers every delivery that got no
// answer or an error. Every acknowledged delivery must have all its
// PipelineRuns, none twice.
func TestKillMidBurst(t *testing.T) {
	const deliveries, senders, pace = 300, 8, 25 * time.Millisecond // ~40/s for ~7.5s
	in := newInstall(t, "kill", "")
	first := in.start()
	ds := mixed("kill", deliveries)
	tl := newTally()
	began := time.Now()
	burstDone := make(chan struct{})
	go func() { defer close(burstDone); in.burst(tl, ds, senders, pace) }()

	time.Sleep(2500 * time.Millisecond)
	in.samplePeak()
	answered := tl.count(func(int) bool { return true })
	if err := syscall.Kill(first.PID(), syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 fresnel: %v", err)
	}
	killedAt := time.Now()
	in.start()
	t.Logf("fresnel killed after %d answers; a new one was ready %s later", answered, time.Since(killedAt).Round(time.Millisecond))
	<-burstDone

	if tl.count(func(s int) bool { return s == 0 || s >= 500 }) == 0 {
		t.Errorf("no delivery went unanswered or failed: the kill did not hit the burst (answers %s)", tl.answersLine())
	}
	redelivered := in.redeliver(tl, ds, 5)
	t.Logf("redelivered %d", redelivered)
	in.conclude(t, "kill -9 mid-burst", tl, ds, began)
	if n := tl.count(func(s int) bool { return s >= 400 && s < 500 }); n != 0 {
		t.Errorf("%d signed deliveries were refused with a 4xx: %s", n, tl.answersLine())
	}
}
