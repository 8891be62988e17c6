package report

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/run"
)

// settledRunOf is a run of job for reportEvent, finished as status and
// reason say, reported and settled.
func settledRunOf(t *testing.T, job string, status corev1.ConditionStatus, reason string) *pipelinev1.PipelineRun {
	t.Helper()
	pr := newRun(t, job, reportEvent)
	pr.Labels[run.LabelSettled] = "true"
	pr.Annotations[run.AnnotationReportedState] = "failure"
	pr.Annotations[run.AnnotationCancelled] = "a newer commit superseded it"
	pr.CreationTimestamp = metav1.NewTime(time.Unix(1_700_000_000, 0))
	pr.Status.StartTime = &metav1.Time{Time: time.Unix(1_700_000_010, 0)}
	pr.Status.CompletionTime = &metav1.Time{Time: time.Unix(1_700_000_100, 0)}
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: reason, Message: "Tasks Completed: 1"})
	settledMeta(pr, map[string]any{}, pr.Annotations)
	return pr
}

// TestLedgerRecordsWhatReportsRead: a settled run read back from the
// ledger reports as the run itself does.
func TestLedgerRecordsWhatReportsRead(t *testing.T) {
	for status, reason := range map[corev1.ConditionStatus]string{corev1.ConditionFalse: "PipelineRunTimeout", corev1.ConditionTrue: "Succeeded"} {
		t.Run(reason, func(t *testing.T) { testLedgerRecord(t, settledRunOf(t, "unit", status, reason)) })
	}
	testLedgerRecord(t, settledRunOf(t, "unit", corev1.ConditionFalse, "Cancelled"))
}

func testLedgerRecord(t *testing.T, pr *pipelinev1.PipelineRun) {
	t.Helper()
	l := loadedLedger(t, runsClient(t, nil, nil, pr))
	got, err := l.RunsBy(context.Background(), run.IndexPull, run.PullKey(pr.Labels))
	if err != nil || len(got) != 1 {
		t.Fatalf("RunsBy(pull) = %d runs, %v; want the one", len(got), err)
	}
	lean := &got[0]
	wantState, wantDesc := StateOf(pr)
	if state, desc := StateOf(lean); state != wantState || desc != wantDesc {
		t.Errorf("StateOf(ledger's run) = %s %q, want %s %q", state, desc, wantState, wantDesc)
	}
	r := &Reporter{}
	if diff := cmp.Diff(mustStatus(t, r, pr), mustStatus(t, r, lean)); diff != "" {
		t.Errorf("status of the ledger's run (-run +ledger):\n%s", diff)
	}
	if jobName(lean) != jobName(pr) || !sameCommit(lean, pr) || pullKeyOf(lean) != pullKeyOf(pr) || !wantsSummary(lean) ||
		lean.Annotations[run.AnnotationRerunCommand] != pr.Annotations[run.AnnotationRerunCommand] || !lean.IsDone() ||
		!lean.Status.CompletionTime.Equal(pr.Status.CompletionTime) {
		t.Errorf("the ledger's run reads differently:\n%+v\nthe run:\n%+v", lean.ObjectMeta, pr.ObjectMeta)
	}
	if byCommit, _ := l.RunsBy(context.Background(), run.IndexCommit, run.CommitKey(pr.Labels)); len(byCommit) != 1 {
		t.Errorf("RunsBy(commit) = %d runs, want 1", len(byCommit))
	}
}

func mustStatus(t *testing.T, r *Reporter, pr *pipelinev1.PipelineRun) any {
	t.Helper()
	state, desc := StateOf(pr)
	s, err := r.status(pr, state, desc)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLedgerLoadsSettledRunsAndForgetsDeletedOnes: a load reads the
// settled runs only; a later one forgets runs deleted since, and keeps
// those settled in this process meanwhile.
func TestLedgerLoadsSettledRunsAndForgetsDeletedOnes(t *testing.T) {
	unit, lint := settledRunOf(t, "unit", corev1.ConditionTrue, "Succeeded"), settledRunOf(t, "lint", corev1.ConditionTrue, "Succeeded")
	running := newRun(t, "quiet", reportEvent)
	c := runsClient(t, nil, nil, unit, lint, running)
	l := loadedLedger(t, c)
	if l.Len() != 2 {
		t.Fatalf("loaded %d runs, want the 2 settled ones", l.Len())
	}
	if err := c.Delete(context.Background(), unit); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.gen++ // a load begins...
	l.mu.Unlock()
	settledMeanwhile := settledRunOf(t, "quiet", corev1.ConditionTrue, "Succeeded")
	l.Settle(settledMeanwhile) // ...the reporter settles a run during it...
	l.replace(map[types.UID]*settledRun{}, l.gen)
	if l.Len() != 1 {
		t.Errorf("after a load that found nothing, %d runs held; want the one settled during it", l.Len())
	}
	if err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := l.RunsBy(context.Background(), run.IndexCommit, run.CommitKey(lint.Labels))
	if len(got) != 1 || got[0].Name != lint.Name {
		t.Errorf("after unit was deleted, the commit's settled runs = %v, want lint only", names(got))
	}
}

func TestLedgerForgetsARunWhoseSettlingFailed(t *testing.T) {
	l := loadedLedger(t, runsClient(t, nil, nil))
	pr := settledRunOf(t, "unit", corev1.ConditionTrue, "Succeeded")
	l.Settle(pr)
	l.Forget(pr.UID)
	if got, _ := l.RunsBy(context.Background(), run.IndexCommit, run.CommitKey(pr.Labels)); l.Len() != 0 || len(got) != 0 {
		t.Errorf("after Forget the ledger holds %d runs, %d on the commit; want none", l.Len(), len(got))
	}
}

func names(runs []pipelinev1.PipelineRun) []string {
	var out []string
	for _, p := range runs {
		out = append(out, p.Name)
	}
	return out
}

// TestLedgerWaitsForItsFirstLoad: until loaded, a lookup waits, so no
// report counts an empty ledger as no settled runs.
func TestLedgerWaitsForItsFirstLoad(t *testing.T) {
	l := &Ledger{Runs: runsClient(t, nil, nil), Namespace: "ci"}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.RunsBy(ctx, run.IndexCommit, "org.repo/he4d"); err == nil {
		t.Fatal("RunsBy before the first load answered, want it to wait")
	}
}
