package report

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// killedAfterSending reports pr's current state with a first reporter and
// then undoes what that reporter recorded on the run, as when it was
// killed between the SCM's answer and its patch. It returns the reporter
// that takes over, begun an hour after the run last changed.
func (h *harness) killedAfterSending(t *testing.T, pr *pipelinev1.PipelineRun) *Reporter {
	t.Helper()
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	forgetReport(t, h.client, pr)
	return h.successor(time.Now())
}

// successor replaces the harness's reporter with a new one, with no
// memory, that began at since.
func (h *harness) successor(since time.Time) *Reporter {
	h.reporter = successorOf(h.reporter, since)
	return h.reporter
}

// successorOf is a reporter configured as r, with no memory, that began
// at since.
func successorOf(r *Reporter, since time.Time) *Reporter {
	next := &Reporter{Client: r.Client, Reader: r.Reader, Instances: r.Instances, TargetURL: r.TargetURL,
		Settled: r.Settled, SummaryComment: r.SummaryComment}
	next.takeover.once.Do(func() { next.takeover.since = since })
	return next
}

// forgetReport undoes what a reporter recorded on pr's stored run, as when
// it was killed between the SCM's answer and its patch.
func forgetReport(t *testing.T, c client.Client, pr *pipelinev1.PipelineRun) {
	t.Helper()
	var cur pipelinev1.PipelineRun
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(pr), &cur); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{run.AnnotationReportedState, run.AnnotationCheckRun} {
		delete(cur.Annotations, a)
	}
	delete(cur.Labels, run.LabelSettled)
	if err := c.Update(context.Background(), &cur); err != nil {
		t.Fatal(err)
	}
}

func TestTakeoverDoesNotResendWhatTheSCMShows(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
	h.killedAfterSending(t, pr)

	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.State{"pending", "success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states across the takeover (-want +got):\n%s", diff)
	}
	if got := h.reportedState(t, pr); got != "success" {
		t.Errorf("reported-state annotation = %q, want success recorded by the successor", got)
	}
	if !h.settled(t, pr) {
		t.Error("the run is not settled after the successor recorded its report")
	}
}

func TestTakeoverSendsWhatThePredecessorDidNot(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	h.killedAfterSending(t, pr) // pending reached the SCM, success never did
	h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
	h.successor(time.Now())

	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.State{"pending", "success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states (-want +got):\n%s", diff)
	}
	if h.scm.readCount() == 0 {
		t.Error("the successor sent without reading what the SCM shows")
	}
}

func TestRunsChangedSinceTheTakeoverAreNotReadBack(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	h.successor(time.Now().Add(-time.Hour))
	h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")

	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if got := h.scm.readCount(); got != 0 {
		t.Errorf("%d reads of the SCM for a run only this reporter saw change, want 0", got)
	}
	if diff := cmp.Diff([]providers.State{"success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states (-want +got):\n%s", diff)
	}
}

// An SCM whose statuses cannot be read gets the status again: a report
// sent twice is better than one lost.
func TestTakeoverSendsWhenTheSCMCannotSay(t *testing.T) {
	pr := newRun(t, "unit", reportEvent)
	h := newHarness(t, pr)
	h.setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
	h.killedAfterSending(t, pr)
	h.scm.mu.Lock()
	h.scm.readFail = errors.New("statuses unreadable")
	h.scm.mu.Unlock()

	if err := h.reconcile(t, pr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.State{"success", "success"}, states(h.scm.sent())); diff != "" {
		t.Errorf("reported states (-want +got):\n%s", diff)
	}
	if got := h.reportedState(t, pr); got != "success" {
		t.Errorf("reported-state annotation = %q, want success", got)
	}
}

// A controller killed after making a run's check but before recording its
// id leaves the check to the one that takes over, which updates it in
// place.
func TestTakeoverUpdatesTheCheckItsPredecessorMade(t *testing.T) {
	pr := checkRun(t)
	pr.CreationTimestamp = metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	h := newChecksHarness(t, pr)
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	forgetReport(t, h.client, pr)
	h.reporter = successorOf(h.reporter, time.Now())
	h.update(t, pr, started)

	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	calls := h.scm.sent()
	if len(calls) != 2 || calls[0].ID != "" || calls[1].ID != "cr-1" {
		t.Fatalf("check calls = %+v, want a create then an update of cr-1", calls)
	}
	if got := h.annotations(t, pr)[run.AnnotationCheckRun]; got != "cr-1" {
		t.Errorf("check-run annotation = %q, want cr-1 recorded by the successor", got)
	}
}

// A run created after the reporter began had no predecessor: its first
// report makes its check without looking for one.
func TestNewRunsDoNotLookForACheck(t *testing.T) {
	pr := checkRun(t)
	pr.CreationTimestamp = metav1.NewTime(time.Now().Truncate(time.Second))
	h := newChecksHarness(t, pr)
	h.reporter.takeover.once.Do(func() { h.reporter.takeover.since = time.Now().Add(-time.Hour) })
	if _, err := h.reporter.Reconcile(context.Background(), checkRequest(pr)); err != nil {
		t.Fatal(err)
	}
	h.scm.mu.Lock()
	finds := h.scm.finds
	h.scm.mu.Unlock()
	if finds != 0 {
		t.Errorf("%d looks for a check of a run created after the takeover, want 0", finds)
	}
	if calls := h.scm.sent(); len(calls) != 1 || calls[0].ID != "" {
		t.Errorf("check calls = %+v, want one create", calls)
	}
}

// A Gerrit verdict a killed predecessor sent is not sent again; one it did
// not send is.
func TestTakeoverDoesNotSendAVerdictAgain(t *testing.T) {
	for _, shown := range []bool{true, false} {
		t.Run(fmt.Sprintf("shown %v", shown), func(t *testing.T) {
			unit := kindRun(t, verdictKind, "unit", reportEvent, 1)
			lint := kindRun(t, verdictKind, "lint", reportEvent, 1)
			h := newKindHarness(t, verdictKind, unit, lint)
			scm := h.intake.(*verdictSCM)
			h.finish(t, unit, corev1.ConditionTrue)
			h.finish(t, lint, corev1.ConditionFalse)
			forgetReport(t, h.client, lint)
			if !shown {
				scm.mu.Lock()
				scm.verdicts = nil // the predecessor died before Gerrit had it
				scm.mu.Unlock()
			}
			// The successor begins now, after both runs finished; unit,
			// settled, is read from the ledger.
			h.reporter = successorOf(h.reporter, time.Now())
			h.reconcile(t, lint)

			want := 1
			if got := len(scm.sentVerdicts()); got != want {
				t.Errorf("%d verdicts on the SCM, want %d", got, want)
			}
			if got := (&harness{client: h.client}).reportedState(t, lint); got != "failure" {
				t.Errorf("reported-state annotation = %q, want failure", got)
			}
		})
	}
}
