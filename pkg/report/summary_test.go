package report

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// Provider kinds registered only in this package's tests.
const (
	commentKind   = "report-test-comments"  // comments, edits and deletes
	postOnlyKind  = "report-test-post-only" // comments, cannot edit
	verdictKind   = "report-test-verdicts"  // reports a verdict per commit
	summaryPause  = 5 * time.Millisecond    // how long each comment call takes
	failureReason = "Failed"
)

// commentSCM keeps pull request comments in memory and counts the calls
// that change them.
type commentSCM struct {
	fakeSCM
	mu                      sync.Mutex
	comments                map[string]string // id -> body
	order                   []string
	next                    int
	creates, edits, deletes int
}

func (c *commentSCM) Comment(_ context.Context, _ event.Target, body string) (string, error) {
	time.Sleep(summaryPause) // widen the window in which two writers could race
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	id := strconv.Itoa(c.next)
	if c.comments == nil {
		c.comments = map[string]string{}
	}
	c.comments[id] = body
	c.order = append(c.order, id)
	c.creates++
	return id, nil
}

func (c *commentSCM) ListComments(context.Context, event.Target) ([]event.Comment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []event.Comment
	for _, id := range c.order {
		if body, ok := c.comments[id]; ok {
			out = append(out, event.Comment{ID: id, Body: body, Author: "fresnel-bot"})
		}
	}
	return out, nil
}

func (c *commentSCM) EditComment(_ context.Context, _ event.Target, id, body string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.comments[id] = body
	c.edits++
	return nil
}

func (c *commentSCM) DeleteComment(_ context.Context, _ event.Target, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.comments, id)
	c.deletes++
	return nil
}

// bodies lists the comments left, oldest first.
func (c *commentSCM) bodies() []string {
	list, _ := c.ListComments(context.Background(), event.Target{})
	var out []string
	for _, cm := range list {
		out = append(out, cm.Body)
	}
	return out
}

// postOnlySCM can comment but not edit: no CommentEditor.
type postOnlySCM struct {
	fakeSCM
	mu     sync.Mutex
	posted []string
}

func (p *postOnlySCM) Comment(_ context.Context, _ event.Target, body string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posted = append(p.posted, body)
	return strconv.Itoa(len(p.posted)), nil
}

func init() {
	providers.Register(commentKind, func(providers.Config) (providers.Intake, error) { return &commentSCM{}, nil })
	providers.Register(postOnlyKind, func(providers.Config) (providers.Intake, error) { return &postOnlySCM{}, nil })
}

// kindHarness is a reporter over a fake cluster for one provider kind.
// Its reporter's client lists as the controller's cache does, without
// settled runs, which its ledger holds; its reader is the API server.
type kindHarness struct {
	client   client.Client
	intake   providers.Intake
	reporter *Reporter
}

func newKindHarness(t *testing.T, kind string, objs ...client.Object) *kindHarness {
	t.Helper()
	c := runsClient(t, nil, nil, objs...)
	cache := interceptor.NewClient(c.(client.WithWatch), interceptor.Funcs{List: listUnsettled})
	set, err := providers.NewSet([]providers.Config{{Kind: kind, Name: "public", Secret: []byte("s")}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := set.Get(kind, "public")
	tpl, err := ParseTargetURL("https://dash/{{.Name}}")
	if err != nil {
		t.Fatal(err)
	}
	return &kindHarness{client: c, intake: in.Intake, reporter: &Reporter{Client: cache, Reader: c, Instances: set, TargetURL: tpl, SummaryComment: true,
		Settled: loadedLedger(t, c)}}
}

// loadedLedger is a ledger of the settled runs c holds, loaded.
func loadedLedger(t *testing.T, c client.Reader) *Ledger {
	t.Helper()
	l := &Ledger{Runs: c, Namespace: "ci"}
	if err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}

// listUnsettled lists as the controller's cache does: settled runs are
// not in it.
func listUnsettled(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
	if err := c.List(ctx, list, opts...); err != nil {
		return err
	}
	if runs, ok := list.(*pipelinev1.PipelineRunList); ok {
		runs.Items = slices.DeleteFunc(runs.Items, func(pr pipelinev1.PipelineRun) bool { return pr.Labels[run.LabelSettled] == "true" })
	}
	return nil
}

// finish gives the stored run a final Succeeded condition and reconciles it.
func (h *kindHarness) finish(t *testing.T, pr *pipelinev1.PipelineRun, status corev1.ConditionStatus) {
	t.Helper()
	(&harness{client: h.client}).setStatus(t, pr, status, map[corev1.ConditionStatus]string{corev1.ConditionTrue: "Succeeded", corev1.ConditionFalse: failureReason}[status])
	h.reconcile(t, pr)
}

func (h *kindHarness) reconcile(t *testing.T, pr *pipelinev1.PipelineRun) {
	t.Helper()
	if err := (&harness{client: h.client, reporter: h.reporter}).reconcile(t, pr); err != nil {
		t.Fatalf("Reconcile(%s): %v", pr.Name, err)
	}
}

// kindRun is a run of job for ev on kind, created secs seconds after the
// epoch.
func kindRun(t *testing.T, kind, job string, ev event.Event, secs int) *pipelinev1.PipelineRun {
	t.Helper()
	ev.Provider = kind
	pr := newRun(t, job, ev)
	pr.CreationTimestamp = metav1.NewTime(time.Unix(int64(1_700_000_000+secs), 0))
	return pr
}

func delivery(ev event.Event, id, sha string) event.Event {
	ev.Delivery, ev.HeadSHA = id, sha
	return ev
}

func TestSummaryCommentCreatedOnceEditedThenDeleted(t *testing.T) {
	unit := kindRun(t, commentKind, "unit", reportEvent, 1)
	lint := kindRun(t, commentKind, "lint", reportEvent, 1)
	h := newKindHarness(t, commentKind, unit, lint)
	scm := h.intake.(*commentSCM)

	h.finish(t, unit, corev1.ConditionFalse)
	bodies := scm.bodies()
	if len(bodies) != 1 || !strings.Contains(bodies[0], summaryMarker) || !strings.Contains(bodies[0], "[unit](https://dash/"+unit.Name+")") ||
		!strings.Contains(bodies[0], "`/test unit`") || !strings.Contains(bodies[0], "1 job failed on commit he4d") {
		t.Fatalf("after unit failed, comments = %q; want one summary naming unit, its link and /test unit", bodies)
	}
	h.finish(t, lint, corev1.ConditionFalse)
	if bodies := scm.bodies(); len(bodies) != 1 || !strings.Contains(bodies[0], "2 jobs failed") || !strings.Contains(bodies[0], "`/test lint`") {
		t.Fatalf("after lint failed, comments = %q; want the one summary listing both jobs", bodies)
	}
	if scm.creates != 1 || scm.edits != 1 {
		t.Errorf("creates %d, edits %d; want 1 and 1", scm.creates, scm.edits)
	}

	unitAgain := kindRun(t, commentKind, "unit", delivery(reportEvent, "d-2", "he4d"), 2)
	lintAgain := kindRun(t, commentKind, "lint", delivery(reportEvent, "d-3", "he4d"), 2)
	for _, pr := range []*pipelinev1.PipelineRun{unitAgain, lintAgain} {
		if err := h.client.Create(context.Background(), pr); err != nil {
			t.Fatal(err)
		}
	}
	h.finish(t, unitAgain, corev1.ConditionTrue)
	if bodies := scm.bodies(); len(bodies) != 1 || strings.Contains(bodies[0], "`/test unit`") || !strings.Contains(bodies[0], "1 job failed") {
		t.Fatalf("after unit passed on a rerun, comments = %q; want only lint listed", bodies)
	}
	h.finish(t, lintAgain, corev1.ConditionTrue)
	if bodies := scm.bodies(); len(bodies) != 0 || scm.deletes != 1 {
		t.Fatalf("after every job passed, comments = %q (%d deletes); want the summary deleted", bodies, scm.deletes)
	}
	if scm.creates != 1 || scm.edits != 2 {
		t.Errorf("creates %d, edits %d; want 1 and 2", scm.creates, scm.edits)
	}
}

func TestSummaryCommentTwoRunsFinishingAtOnce(t *testing.T) {
	unit := kindRun(t, commentKind, "unit", reportEvent, 1)
	lint := kindRun(t, commentKind, "lint", reportEvent, 1)
	h := newKindHarness(t, commentKind, unit, lint)
	(&harness{client: h.client}).setStatus(t, unit, corev1.ConditionFalse, failureReason)
	(&harness{client: h.client}).setStatus(t, lint, corev1.ConditionFalse, failureReason)
	var wg sync.WaitGroup
	for _, pr := range []*pipelinev1.PipelineRun{unit, lint} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.reconcile(t, pr)
		}()
	}
	wg.Wait()
	scm := h.intake.(*commentSCM)
	if scm.creates != 1 {
		t.Errorf("%d summary comments created, want 1", scm.creates)
	}
	if bodies := scm.bodies(); len(bodies) != 1 || !strings.Contains(bodies[0], "2 jobs failed") {
		t.Errorf("comments = %q, want one summary of both jobs", bodies)
	}
}

func TestSummaryCommentFoundAgainAfterRestart(t *testing.T) {
	unit := kindRun(t, commentKind, "unit", reportEvent, 1)
	unit.Annotations[run.AnnotationRerunCommand] = "/test unit-tests please"
	h := newKindHarness(t, commentKind, unit)
	scm := h.intake.(*commentSCM)
	if _, err := scm.Comment(context.Background(), event.Target{}, "an unrelated comment"); err != nil {
		t.Fatal(err)
	}
	if _, err := scm.Comment(context.Background(), event.Target{}, summaryMarker+"\nwritten by an earlier controller"); err != nil {
		t.Fatal(err)
	}
	h.finish(t, unit, corev1.ConditionFalse)
	bodies := scm.bodies()
	if scm.creates != 2 || scm.edits != 1 || len(bodies) != 2 || !strings.Contains(bodies[1], "`/test unit-tests please`") {
		t.Errorf("creates %d, edits %d, comments %q; want the earlier summary edited, naming the job's rerun_command", scm.creates, scm.edits, bodies)
	}
}

func TestSummaryCommentIgnores(t *testing.T) {
	tests := map[string]struct {
		off   bool
		setup func(t *testing.T) (finished *pipelinev1.PipelineRun, others []client.Object)
	}{
		"turned off": {off: true, setup: func(t *testing.T) (*pipelinev1.PipelineRun, []client.Object) {
			return kindRun(t, commentKind, "unit", reportEvent, 1), nil
		}},
		"a failure on an older commit": {setup: func(t *testing.T) (*pipelinev1.PipelineRun, []client.Object) {
			old := kindRun(t, commentKind, "unit", delivery(reportEvent, "d-old", "01d"), 1)
			return old, []client.Object{kindRun(t, commentKind, "unit", reportEvent, 2)}
		}},
		"a run cancelled as moot": {setup: func(t *testing.T) (*pipelinev1.PipelineRun, []client.Object) {
			pr := kindRun(t, commentKind, "unit", reportEvent, 1)
			pr.Annotations[run.AnnotationCancelled] = "the pull request was closed"
			return pr, nil
		}},
		"a push": {setup: func(t *testing.T) (*pipelinev1.PipelineRun, []client.Object) {
			pr := kindRun(t, commentKind, "unit", reportEvent, 1)
			delete(pr.Labels, run.LabelPull)
			return pr, nil
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pr, others := tc.setup(t)
			h := newKindHarness(t, commentKind, append(others, pr)...)
			h.reporter.SummaryComment = !tc.off
			h.finish(t, pr, corev1.ConditionFalse)
			if bodies := h.intake.(*commentSCM).bodies(); len(bodies) != 0 {
				t.Errorf("comments = %q, want none", bodies)
			}
		})
	}
}

func TestSummaryCommentWithoutEditor(t *testing.T) {
	unit := kindRun(t, postOnlyKind, "unit", reportEvent, 1)
	lint := kindRun(t, postOnlyKind, "lint", reportEvent, 1)
	h := newKindHarness(t, postOnlyKind, unit, lint)
	h.finish(t, unit, corev1.ConditionFalse)
	h.finish(t, lint, corev1.ConditionTrue) // the failed set is the same: nothing new to say
	posted := h.intake.(*postOnlySCM).posted
	if len(posted) != 1 || !strings.Contains(posted[0], "`/test unit`") {
		t.Errorf("posted %q, want one summary naming unit", posted)
	}
}

// verdictSCM records the verdicts it is sent.
type verdictSCM struct {
	fakeSCM
	mu       sync.Mutex
	verdicts []providers.Verdict
	reads    int
}

func (v *verdictSCM) SetVerdict(_ context.Context, _ event.CommitRef, verdict providers.Verdict) error {
	time.Sleep(summaryPause)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.verdicts = append(v.verdicts, verdict)
	return nil
}

// VerdictShown reports whether v is the last verdict sent.
func (v *verdictSCM) VerdictShown(_ context.Context, _ event.CommitRef, verdict providers.Verdict) (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.reads++
	return len(v.verdicts) > 0 && cmp.Equal(v.verdicts[len(v.verdicts)-1], verdict), nil
}

func (v *verdictSCM) sentVerdicts() []providers.Verdict {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]providers.Verdict(nil), v.verdicts...)
}

// A verdict SCM can comment too (Gerrit): the summary comment is left to
// its verdict.
func (v *verdictSCM) Comment(context.Context, event.Target, string) (string, error) {
	return "", http.ErrNotSupported
}

func init() {
	providers.Register(verdictKind, func(providers.Config) (providers.Intake, error) { return &verdictSCM{}, nil })
}

func verdictStates(v providers.Verdict) []providers.State {
	out := []providers.State{v.State}
	for _, j := range v.Jobs {
		out = append(out, j.State)
	}
	return out
}

func TestVerdictOncePerCommit(t *testing.T) {
	unit := kindRun(t, verdictKind, "unit", reportEvent, 1)
	lint := kindRun(t, verdictKind, "lint", reportEvent, 1)
	h := newKindHarness(t, verdictKind, unit, lint)
	scm := h.intake.(*verdictSCM)
	h.reconcile(t, unit) // pending: nothing
	h.reconcile(t, lint)
	h.finish(t, unit, corev1.ConditionTrue) // lint still runs: nothing
	if got := scm.sentVerdicts(); len(got) != 0 || len(scm.sent()) != 0 {
		t.Fatalf("before the last run finished: verdicts %+v, statuses %+v; want none", got, scm.sent())
	}
	h.finish(t, lint, corev1.ConditionFalse)
	got := scm.sentVerdicts()
	if len(got) != 1 {
		t.Fatalf("%d verdicts, want 1", len(got))
	}
	want := []providers.State{providers.StateFailure, providers.StateFailure, providers.StateSuccess} // verdict, ci/lint, ci/unit
	if diff := cmp.Diff(want, verdictStates(got[0])); diff != "" {
		t.Errorf("verdict states (-want +got):\n%s", diff)
	}
	if got[0].Jobs[0].Context != "ci/lint" || got[0].Jobs[0].TargetURL != "https://dash/"+lint.Name {
		t.Errorf("first job %+v, want ci/lint with its link", got[0].Jobs[0])
	}

	rerun := kindRun(t, verdictKind, "lint", delivery(reportEvent, "d-2", "he4d"), 2)
	if err := h.client.Create(context.Background(), rerun); err != nil {
		t.Fatal(err)
	}
	h.reconcile(t, rerun)
	h.finish(t, rerun, corev1.ConditionTrue)
	got = scm.sentVerdicts()
	if len(got) != 2 || got[1].State != providers.StateSuccess || len(got[1].Jobs) != 2 {
		t.Errorf("after a passing rerun, verdicts %+v; want a second one, success, of two jobs", got)
	}
}

func TestVerdictTwoRunsFinishingAtOnce(t *testing.T) {
	unit := kindRun(t, verdictKind, "unit", reportEvent, 1)
	lint := kindRun(t, verdictKind, "lint", reportEvent, 1)
	moot := kindRun(t, verdictKind, "lint", delivery(reportEvent, "d-0", "he4d"), 0)
	moot.Annotations[run.AnnotationCancelled] = "cancelled by /cancel"
	h := newKindHarness(t, verdictKind, unit, lint, moot)
	for _, pr := range []*pipelinev1.PipelineRun{unit, lint, moot} {
		(&harness{client: h.client}).setStatus(t, pr, corev1.ConditionTrue, "Succeeded")
	}
	var wg sync.WaitGroup
	for _, pr := range []*pipelinev1.PipelineRun{unit, lint, moot} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.reconcile(t, pr)
		}()
	}
	wg.Wait()
	if got := h.intake.(*verdictSCM).sentVerdicts(); len(got) != 1 || len(got[0].Jobs) != 2 {
		t.Errorf("verdicts %+v, want one, of two jobs", got)
	}
}

// One pull request's lock excludes, and is let go of once nobody holds or
// waits for it, so locks do not pile up with pull requests.
func TestSummaryLocksExcludeAndAreLetGo(t *testing.T) {
	var s summaries
	key := pullKey{kind: "github", instance: "public", repo: "org/repo", number: 7}
	var inside, most atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := key
			k.number += i % 3
			unlock := s.lock(k)
			if k == key {
				if n := inside.Add(1); n > most.Load() {
					most.Store(n)
				}
				time.Sleep(time.Millisecond)
				inside.Add(-1)
			}
			unlock()
		}()
	}
	wg.Wait()
	if got := most.Load(); got != 1 {
		t.Errorf("%d holders of one pull request's lock at once, want 1", got)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.locks); n != 0 {
		t.Errorf("%d locks kept after all were let go, want 0", n)
	}
}
