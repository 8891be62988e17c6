package fault

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// TestAPIServerOutage stops the kube-apiserver for 20s while a paced
// burst goes on, starts it again, then redelivers every delivery that got
// an error or no answer: fresnel must answer 5xx while it cannot create
// runs (never 2xx without them) and take the redeliveries once the
// apiserver is back.
func TestAPIServerOutage(t *testing.T) {
	const deliveries, senders, pace, outage = 400, 4, 50 * time.Millisecond, 20 * time.Second // ~20/s for ~20s
	in := newInstall(t, "outage", "")
	in.start()
	ds := mixed("outage", deliveries)
	tl := newTally()
	began := time.Now()
	burstDone := make(chan struct{})
	go func() { defer close(burstDone); in.burst(tl, ds, senders, pace) }()

	time.Sleep(3 * time.Second)
	startAgain, err := stack.StopAPIServer()
	if err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	time.Sleep(outage)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if err := startAgain(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("apiserver stopped %s, ready again after %s", outage, time.Since(stoppedAt).Round(100*time.Millisecond))
	<-burstDone

	failed := tl.count(func(s int) bool { return s == 0 || s >= 500 })
	if failed == 0 {
		t.Errorf("no delivery failed: the outage did not hit the burst (answers %s)", tl.answersLine())
	}
	t.Logf("redelivered %d", in.redeliver(tl, ds, 5))
	in.conclude(t, "apiserver stopped 20s", tl, ds, began)
	if n := tl.count(func(s int) bool { return s >= 400 && s < 500 }); n != 0 {
		t.Errorf("%d signed deliveries were refused with a 4xx: %s", n, tl.answersLine())
	}
	if n := tl.count(func(s int) bool { return s >= 500 && s != http.StatusServiceUnavailable }); n != 0 {
		t.Errorf("%d deliveries got a 5xx other than 503 while the cluster was away: %s", n, tl.answersLine())
	}
	if !harness.StackRunning(t.Context()) {
		t.Errorf("the local stack is not healthy after the apiserver came back (test/stack/stack.sh status)")
	}
}
