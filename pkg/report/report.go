package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"text/template"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/expiring"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// Link is what the target URL template sees.
type Link struct {
	Namespace, Name, Job, Repo, SHA string
	Number                          int
}

// Reporter reconciles managed PipelineRuns into SCM statuses.
type Reporter struct {
	Client    client.Client
	Instances *providers.Set
	// TargetURL renders the link on each status; nil leaves it empty.
	TargetURL *template.Template
	// Reader reads what the cache does not hold (a failed run's
	// TaskRuns); nil reads through Client.
	Reader client.Reader
	// Settled holds the settled runs, which the cache does not, for
	// verdicts and summaries; nil counts only the cache's runs.
	Settled *Ledger

	// reported and checks remember what this process reported and the
	// check ids it created (checks.go), so that a stale cache read right
	// after its own patch neither reports twice nor creates a second
	// check. A settled run leaves the cache, so no later read clears its
	// entries: they expire instead.
	memoryOnce sync.Once
	reported   *expiring.Map[providers.State]
	checks     *expiring.Map[string]

	// SummaryComment keeps one comment per pull request listing its
	// failed jobs (summary.go).
	SummaryComment bool
	// summaries serialises the summary comment and the verdict of each
	// pull request and remembers what was written.
	summaries summaries

	// takeover tells runs a predecessor may have reported (takeover.go).
	takeover takeover
}

// ParseTargetURL parses a target URL template over Link.
func ParseTargetURL(text string) (*template.Template, error) {
	if text == "" {
		return nil, nil
	}
	t, err := template.New("targetURL").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("report: target URL template: %w", err)
	}
	return t, nil
}

// Reconcile reports the run's current state if it was not reported yet.
func (r *Reporter) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.takeover.began()
	var pr pipelinev1.PipelineRun
	if err := r.Client.Get(ctx, req.NamespacedName, &pr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if pr.Annotations[run.AnnotationSkipReport] == "true" {
		return ctrl.Result{}, r.settle(ctx, &pr)
	}
	state, desc := StateOf(&pr)
	phase := r.phase(&pr, state)
	if r.alreadyReported(&pr, phase) {
		return ctrl.Result{}, r.settle(ctx, &pr)
	}
	// A report once begun is finished, recorded on the run included, even
	// when the controller is stopping: cut short after the SCM has it, the
	// next controller would report it again.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reportTimeout)
	defer cancel()
	if err := r.send(ctx, &pr, state, desc); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.summarizeRun(ctx, &pr, state); err != nil {
		return ctrl.Result{}, err
	}
	r.remember(pr.UID, phase)
	return ctrl.Result{}, r.markReported(ctx, &pr, phase)
}

// reportTimeout bounds one report: the SCM's answer, the summary and the
// record on the run. It is shorter than the manager's graceful shutdown.
const reportTimeout = 20 * time.Second

// Bounds of what the reporter remembers having reported: far longer than
// a cache takes to catch up, for more runs than report at once.
const (
	rememberReported = 10 * time.Minute
	rememberRuns     = 20000
)

// alreadyReported consults the run's annotation, then this process's
// memory.
func (r *Reporter) alreadyReported(pr *pipelinev1.PipelineRun, state providers.State) bool {
	if pr.Annotations[run.AnnotationReportedState] == string(state) {
		return true
	}
	r.initMemory()
	got, ok := r.reported.Get(string(pr.UID))
	return ok && got == state
}

func (r *Reporter) remember(uid types.UID, state providers.State) {
	r.initMemory()
	r.reported.Put(string(uid), state)
}

func (r *Reporter) initMemory() {
	r.memoryOnce.Do(func() {
		r.reported = expiring.New[providers.State](rememberRuns, rememberReported, nil)
		r.checks = expiring.New[string](rememberRuns, rememberReported, nil)
	})
}

func (r *Reporter) send(ctx context.Context, pr *pipelinev1.PipelineRun, state providers.State, desc string) error {
	kind := pr.Labels[run.LabelProvider]
	in, ok := r.Instances.Get(kind, pr.Annotations[run.AnnotationInstance])
	if !ok {
		log.FromContext(ctx).Info("no provider instance for this run; not reporting", "provider", kind, "instance", pr.Annotations[run.AnnotationInstance])
		return nil
	}
	if v, ok := in.Intake.(providers.VerdictReporter); ok {
		return r.sendVerdict(ctx, v, pr, state)
	}
	if checker, ok := in.Intake.(providers.Checker); ok {
		return r.sendCheck(ctx, checker, pr, state, desc)
	}
	reporter, ok := in.Intake.(providers.StatusReporter)
	if !ok {
		return nil
	}
	status, err := r.status(pr, state, desc)
	if err != nil {
		return err
	}
	if r.statusShown(ctx, reporter, pr, status) {
		return nil
	}
	start := time.Now()
	err = reporter.SetStatus(ctx, commitRef(pr), status)
	recordReport(kind, pr, state, start, err)
	return err
}

// recordReport counts one report call begun at start: its duration, its
// outcome and, once it reached the SCM, how long after the run completed.
func recordReport(kind string, pr *pipelinev1.PipelineRun, state providers.State, start time.Time, err error) {
	now := time.Now()
	metrics.ReportDuration.WithLabelValues(kind).Observe(now.Sub(start).Seconds())
	outcome := "sent"
	if err != nil {
		outcome = "failed"
	} else {
		observeLatency(kind, pr, now)
	}
	metrics.Reports.WithLabelValues(kind, string(state), outcome).Inc()
}

// observeLatency records how long after the run completed its final
// state reached the SCM; a run that has not completed records nothing.
func observeLatency(kind string, pr *pipelinev1.PipelineRun, now time.Time) {
	done := completedAt(pr)
	if done.IsZero() {
		return
	}
	metrics.ReportLatency.WithLabelValues(kind).Observe(max(0, now.Sub(done).Seconds()))
}

// completedAt is when the run completed: Tekton's completion time, else
// when its Succeeded condition turned final; zero while it runs.
func completedAt(pr *pipelinev1.PipelineRun) time.Time {
	if pr.Status.CompletionTime != nil {
		return pr.Status.CompletionTime.Time
	}
	if c := pr.Status.GetCondition(apis.ConditionSucceeded); c != nil && c.Status != corev1.ConditionUnknown {
		return c.LastTransitionTime.Inner.Time
	}
	return time.Time{}
}

func (r *Reporter) status(pr *pipelinev1.PipelineRun, state providers.State, desc string) (providers.Status, error) {
	s := providers.Status{State: state, Context: pr.Annotations[run.AnnotationContext], Description: desc,
		Moot: pr.Annotations[run.AnnotationCancelled] != ""}
	if r.TargetURL == nil {
		return s, nil
	}
	ref := commitRef(pr)
	var buf bytes.Buffer
	err := r.TargetURL.Execute(&buf, Link{
		Namespace: pr.Namespace, Name: pr.Name, Job: pr.Labels[run.LabelJob],
		Repo: ref.Repo, SHA: ref.SHA, Number: ref.Number,
	})
	if err != nil {
		return s, fmt.Errorf("report: target URL: %w", err)
	}
	s.TargetURL = buf.String()
	return s, nil
}

// runsBy lists the runs whose key in the index named index is key: the
// unsettled ones from the cache, the settled ones from the ledger, which
// wins for a run in both (settled while the cache has not caught up).
func (r *Reporter) runsBy(ctx context.Context, ns, index, key string) ([]pipelinev1.PipelineRun, error) {
	var list pipelinev1.PipelineRunList
	if err := r.Client.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{index: key}); err != nil {
		return nil, err
	}
	runs, err := r.Settled.RunsBy(ctx, index, key)
	if err != nil {
		return nil, err
	}
	settled := make(map[types.UID]bool, len(runs))
	for _, p := range runs {
		settled[p.UID] = true
	}
	for _, p := range list.Items {
		if !settled[p.UID] {
			runs = append(runs, p)
		}
	}
	return runs, nil
}

func (r *Reporter) reader() client.Reader {
	if r.Reader == nil {
		return r.Client
	}
	return r.Reader
}

func sameCommit(a, b *pipelinev1.PipelineRun) bool {
	for _, key := range []string{run.AnnotationInstance, run.AnnotationRepo, run.AnnotationSHA} {
		if a.Annotations[key] != b.Annotations[key] {
			return false
		}
	}
	return a.Labels[run.LabelProvider] == b.Labels[run.LabelProvider] && a.Annotations[run.AnnotationSkipReport] != "true"
}

// combine folds states: any failure or error wins, then pending, else success.
func combine(states []providers.State) providers.State {
	combined := providers.StateSuccess
	for _, s := range states {
		switch s {
		case providers.StateFailure, providers.StateError:
			return providers.StateFailure
		case providers.StatePending:
			combined = providers.StatePending
		}
	}
	return combined
}

func commitRef(pr *pipelinev1.PipelineRun) event.CommitRef {
	number, _ := strconv.Atoi(pr.Labels[run.LabelPull])
	return event.CommitRef{
		Repo:   pr.Annotations[run.AnnotationRepo],
		SHA:    pr.Annotations[run.AnnotationSHA],
		Number: number,
	}
}

// markReported records the reported state on the run itself, so a
// restarted controller does not report it again; a finished run is
// settled by the same patch.
func (r *Reporter) markReported(ctx context.Context, pr *pipelinev1.PipelineRun, state providers.State) error {
	annotations := map[string]string{run.AnnotationReportedState: string(state)}
	if !pr.IsDone() {
		return r.patchMeta(ctx, pr, map[string]any{"annotations": annotations})
	}
	return r.settleWith(ctx, pr, annotations)
}

// settle labels a finished run whose result needs no report any more
// (reported before, or not to be), so that the cache lets go of it: runs
// reported by an earlier version, and runs that skip reporting.
func (r *Reporter) settle(ctx context.Context, pr *pipelinev1.PipelineRun) error {
	if !pr.IsDone() || pr.Labels[run.LabelSettled] == "true" {
		return nil
	}
	return r.settleWith(ctx, pr, map[string]string{})
}

// settleWith patches the finished run with annotations and what settles
// it. The ledger learns of it first: once the patch is through, the
// cache may drop the run at any moment, and a summary or verdict read in
// between must find it in one or the other.
func (r *Reporter) settleWith(ctx context.Context, pr *pipelinev1.PipelineRun, annotations map[string]string) error {
	meta := map[string]any{"annotations": annotations}
	settledMeta(pr, meta, annotations)
	settled := pr.DeepCopy()
	if settled.Annotations == nil {
		settled.Annotations = map[string]string{}
	}
	maps.Copy(settled.Annotations, annotations)
	if settled.Labels == nil {
		settled.Labels = map[string]string{}
	}
	settled.Labels[run.LabelSettled] = "true"
	r.Settled.Settle(settled)
	if err := r.patchMeta(ctx, pr, meta); err != nil {
		r.Settled.Forget(pr.UID)
		return err
	}
	return nil
}

// settledMeta adds to meta the settled label and, to its annotations,
// the run's result, finish and job: what is read of a settled run.
func settledMeta(pr *pipelinev1.PipelineRun, meta map[string]any, annotations map[string]string) {
	meta["labels"] = map[string]string{run.LabelSettled: "true"}
	if c := pr.Status.GetCondition(apis.ConditionSucceeded); c != nil {
		annotations[run.AnnotationResult] = c.Reason
	}
	finished := completedAt(pr)
	if finished.IsZero() {
		finished = time.Now()
	}
	annotations[run.AnnotationFinishedAt] = finished.UTC().Format(time.RFC3339)
	annotations[run.AnnotationJobName] = jobName(pr)
}

// patchMeta merges meta into the run's metadata, and pr is the run as
// patched; a run deleted meanwhile needs nothing.
func (r *Reporter) patchMeta(ctx context.Context, pr *pipelinev1.PipelineRun, meta map[string]any) error {
	patch, _ := json.Marshal(map[string]any{"metadata": meta})
	err := r.Client.Patch(ctx, pr, client.RawPatch(types.MergePatchType, patch))
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
