package fault

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSameDeliveryTwentyTimesAtOnce sends one GitHub and one GitLab
// delivery 20 times each, all 20 copies released at the same instant:
// each must make exactly one set of runs, and every copy is answered 2xx
// (a copy that finds the runs made by another is done, not a failure).
func TestSameDeliveryTwentyTimesAtOnce(t *testing.T) {
	const copies = 20
	in := newInstall(t, "replay", "")
	in.start()
	ds := []delivery{githubDelivery("replay", 1), gitlabDelivery("replay", 2)}
	tl := newTally()
	began := time.Now()
	for _, d := range ds {
		in.together(tl, d, copies)
	}
	v := in.conclude(t, "one delivery 20 times at once", tl, ds, began)
	if ok := tl.count(func(s int) bool { return s >= 200 && s < 300 }); ok != copies*len(ds) {
		t.Errorf("%d of %d copies answered 2xx: %s", ok, copies*len(ds), tl.answersLine())
	}
	if v.runs != len(ds)*len(jobs) {
		t.Errorf("%d PipelineRuns, want %d: one per job per delivery", v.runs, len(ds)*len(jobs))
	}
}

// TestRedeliveredCopiesUnderLoad sends 1,000 deliveries from 8 senders,
// with a redelivered copy of every fifth one mixed in later: no loss, no
// duplicate, one set of runs per delivery.
func TestRedeliveredCopiesUnderLoad(t *testing.T) {
	const deliveries, senders = 1000, 8
	in := newInstall(t, "copies", "")
	in.start()
	ds := mixed("copies", deliveries)
	tl := newTally()
	began := time.Now()
	sends := withCopies(ds, 5)
	if copies := len(sends) - len(ds); copies != deliveries/5 {
		t.Fatalf("%d redelivered copies, want %d", copies, deliveries/5)
	}
	in.burst(tl, sends, senders, 0)
	t.Logf("redelivered %d", in.redeliver(tl, ds, 5))
	v := in.conclude(t, "1000 deliveries + 20% copies, 8 senders", tl, ds, began)
	if v.runs != len(ds)*len(jobs) {
		t.Errorf("%d PipelineRuns, want %d: one per job per delivery", v.runs, len(ds)*len(jobs))
	}
}

// withCopies is ds with a copy of every every-th delivery sent again 1 to
// 100 deliveries later, or at the end; the seed is fixed, so the order is
// the same on every run.
func withCopies(ds []delivery, every int) []delivery {
	rnd := rand.New(rand.NewPCG(12, 4))
	due := map[int][]delivery{}
	out := make([]delivery, 0, len(ds)+len(ds)/every+1)
	for i, d := range ds {
		out = append(append(out, d), due[i]...)
		if i%every == 0 {
			at := min(i+1+rnd.IntN(100), len(ds))
			due[at] = append(due[at], d)
		}
	}
	return append(out, due[len(ds)]...)
}
