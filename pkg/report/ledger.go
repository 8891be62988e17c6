package report

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// Ledger defaults.
const (
	// DefaultRefresh is how often the ledger reads every settled run
	// again, to forget the deleted ones, when Refresh is zero.
	DefaultRefresh = 30 * time.Minute
	// DefaultLedgerPage is how many runs a page of its list holds.
	DefaultLedgerPage = 500
)

// Ledger keeps a small record of each settled run, by the run indexes
// (run.Indexes), so that a verdict or a summary comment counts the runs
// the controller's cache let go of without listing them from the API
// server at every report: such a list reads every run in the namespace.
// A record is read from a run's metadata alone, where settling wrote its
// result, and is a fraction of a cached run. The ledger loads the settled
// runs when it starts, on the leader, learns of each run the reporter
// settles, and reads them all again every Refresh.
type Ledger struct {
	// Runs lists runs a page at a time: the API server.
	Runs      client.Reader
	Namespace string
	Refresh   time.Duration
	PageSize  int

	once    sync.Once
	loaded  chan struct{}
	mu      sync.RWMutex
	records map[types.UID]*settledRun
	byKey   map[string]map[types.UID]*settledRun // index name and key
	strs    map[string]string                    // the shared strings, stored once
	gen     uint64                               // the current read's generation
}

// NeedLeaderElection says the ledger serves the reporter, on the leader.
func (l *Ledger) NeedLeaderElection() bool { return true }

// Start loads the settled runs, then reads them again every Refresh until
// ctx ends. A failed read is retried at the next one; until the first
// read succeeds, Runs waits.
func (l *Ledger) Start(ctx context.Context) error {
	l.init()
	for {
		if err := l.Load(ctx); err != nil && ctx.Err() == nil {
			log.FromContext(ctx).Error(err, "settled runs")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(cmp.Or(l.Refresh, DefaultRefresh)):
		}
	}
}

// Load reads every settled run from the API server and replaces what the
// ledger held; runs settled while it read are kept.
func (l *Ledger) Load(ctx context.Context) error {
	l.init()
	start := time.Now()
	l.mu.Lock()
	l.gen++
	gen := l.gen
	l.strs = map[string]string{} // what the runs read now share
	l.mu.Unlock()
	fresh := map[types.UID]*settledRun{}
	keep := func(m *metav1.PartialObjectMetadata) {
		l.mu.Lock()
		defer l.mu.Unlock()
		rec := l.record(m, gen)
		fresh[rec.uid] = rec
	}
	err := run.ListPages(ctx, l.Runs, int64(cmp.Or(l.PageSize, DefaultLedgerPage)), keep,
		client.InNamespace(l.Namespace), client.MatchingLabels{run.LabelManaged: "true", run.LabelSettled: "true"})
	if err != nil {
		return fmt.Errorf("report: list settled runs: %w", err)
	}
	l.replace(fresh, gen)
	log.FromContext(ctx).Info("settled runs loaded", "runs", len(fresh), "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// replace makes fresh the ledger's records, with those added since the
// read of generation gen began.
func (l *Ledger) replace(fresh map[types.UID]*settledRun, gen uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for uid, rec := range l.records {
		if _, ok := fresh[uid]; !ok && rec.gen >= gen {
			fresh[uid] = rec
		}
	}
	l.records = map[types.UID]*settledRun{}
	l.byKey = map[string]map[types.UID]*settledRun{}
	for _, rec := range fresh {
		l.add(rec)
	}
	metrics.SettledRuns.Set(float64(len(l.records)))
	select {
	case <-l.loaded:
	default:
		close(l.loaded)
	}
}

// Settle records pr, which the reporter just settled.
func (l *Ledger) Settle(pr *pipelinev1.PipelineRun) {
	if l == nil {
		return
	}
	l.init()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(l.record(pr, l.gen))
	metrics.SettledRuns.Set(float64(len(l.records)))
}

// Forget drops the record of the run uid: its settling failed, or it was
// deleted.
func (l *Ledger) Forget(uid types.UID) {
	if l == nil {
		return
	}
	l.init()
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec, ok := l.records[uid]; ok {
		l.remove(rec)
	}
	metrics.SettledRuns.Set(float64(len(l.records)))
}

// RunsBy returns the settled runs whose key in the index named index is
// key, as lean PipelineRuns (settledRun.pipelineRun). It waits for the
// first load.
func (l *Ledger) RunsBy(ctx context.Context, index, key string) ([]pipelinev1.PipelineRun, error) {
	if l == nil {
		return nil, nil
	}
	l.init()
	select {
	case <-l.loaded:
	case <-ctx.Done():
		return nil, fmt.Errorf("report: settled runs not loaded yet: %w", ctx.Err())
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []pipelinev1.PipelineRun
	for _, rec := range l.byKey[byKeyOf(index, key)] {
		out = append(out, *rec.pipelineRun())
	}
	return out, nil
}

// Len is how many settled runs the ledger holds.
func (l *Ledger) Len() int {
	l.init()
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.records)
}

func (l *Ledger) init() {
	l.once.Do(func() {
		l.loaded = make(chan struct{})
		l.records = map[types.UID]*settledRun{}
		l.byKey = map[string]map[types.UID]*settledRun{}
		l.strs = map[string]string{}
	})
}

// add files rec under its uid and index keys; l.mu is held.
func (l *Ledger) add(rec *settledRun) {
	if old, ok := l.records[rec.uid]; ok {
		l.remove(old)
	}
	l.records[rec.uid] = rec
	for _, k := range rec.indexKeys() {
		if l.byKey[k] == nil {
			l.byKey[k] = map[types.UID]*settledRun{}
		}
		l.byKey[k][rec.uid] = rec
	}
}

func (l *Ledger) remove(rec *settledRun) {
	delete(l.records, rec.uid)
	for _, k := range rec.indexKeys() {
		delete(l.byKey[k], rec.uid)
		if len(l.byKey[k]) == 0 {
			delete(l.byKey, k)
		}
	}
}

// indexKeys are the keys rec is filed under in byKey: its key in each of
// run.Indexes, which read labels only.
func (rec *settledRun) indexKeys() []string {
	labelled := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Labels: pairs(ledgerLabels, rec.labels[:])}}
	var out []string
	for name, keys := range run.Indexes {
		for _, key := range keys(labelled) {
			out = append(out, byKeyOf(name, key))
		}
	}
	return out
}

// byKeyOf is the byKey key of key in the index named index.
func byKeyOf(index, key string) string { return index + "\x00" + key }

// Which labels and annotations a record keeps: what reports read.
var (
	ledgerLabels = []string{run.LabelManaged, run.LabelProvider, run.LabelType, run.LabelJob, run.LabelPull,
		run.LabelSHA, run.LabelRepo, run.LabelSettled}
	ledgerAnnotations = []string{run.AnnotationRepo, run.AnnotationSHA, run.AnnotationContext, run.AnnotationInstance,
		run.AnnotationReportedState, run.AnnotationSkipReport, run.AnnotationCancelled, run.AnnotationRerunCommand}
)

// successReasons are the reasons Tekton gives a run that succeeded.
var successReasons = map[string]bool{
	pipelinev1.PipelineRunReasonSuccessful.String(): true,
	pipelinev1.PipelineRunReasonCompleted.String():  true,
}

// settledRun is what the ledger keeps of a settled run: its metadata,
// where settling wrote its result and finish.
type settledRun struct {
	gen             uint64
	uid             types.UID
	name, namespace string
	created         metav1.Time
	labels          [8]string // values of ledgerLabels
	annotations     [8]string // values of ledgerAnnotations
	reason, job     string
	done            time.Time
}

// record is what the ledger keeps of a settled run's metadata, read in
// generation gen; l.mu is held.
func (l *Ledger) record(m metav1.Object, gen uint64) *settledRun {
	rec := &settledRun{gen: gen, uid: m.GetUID(), name: m.GetName(), namespace: l.shared(m.GetNamespace()), created: m.GetCreationTimestamp()}
	for i, k := range ledgerLabels {
		rec.labels[i] = l.shared(m.GetLabels()[k])
	}
	for i, k := range ledgerAnnotations {
		rec.annotations[i] = l.shared(m.GetAnnotations()[k])
	}
	rec.reason = l.shared(m.GetAnnotations()[run.AnnotationResult])
	rec.job = l.shared(m.GetAnnotations()[run.AnnotationJobName])
	rec.done, _ = time.Parse(time.RFC3339, m.GetAnnotations()[run.AnnotationFinishedAt])
	return rec
}

// shared stores s once for all records that hold it. Run names and
// commits are not passed here: each is its own.
func (l *Ledger) shared(s string) string {
	if s == "" {
		return ""
	}
	if got, ok := l.strs[s]; ok {
		return got
	}
	l.strs[s] = s
	return s
}

// pipelineRun is rec as a lean PipelineRun: its metadata, its job's
// name, the Succeeded condition its result says, and its finish.
func (rec *settledRun) pipelineRun() *pipelinev1.PipelineRun {
	pr := &pipelinev1.PipelineRun{ObjectMeta: metav1.ObjectMeta{
		Name: rec.name, Namespace: rec.namespace, UID: rec.uid, CreationTimestamp: rec.created,
		Labels: pairs(ledgerLabels, rec.labels[:]), Annotations: pairs(ledgerAnnotations, rec.annotations[:]),
	}}
	if rec.job != "" {
		pr.Spec.Params = pipelinev1.Params{{Name: "JOB_NAME", Value: *pipelinev1.NewStructuredValues(rec.job)}}
	}
	status := corev1.ConditionFalse
	if successReasons[rec.reason] {
		status = corev1.ConditionTrue
	}
	// Set as stored, moved when the run finished: SetCondition would
	// stamp the time of this call.
	cond := apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: rec.reason}
	if !rec.done.IsZero() {
		pr.Status.CompletionTime = &metav1.Time{Time: rec.done}
		cond.LastTransitionTime = apis.VolatileTime{Inner: metav1.Time{Time: rec.done}}
	}
	pr.Status.Conditions = duckv1.Conditions{cond}
	return pr
}

func pairs(keys, values []string) map[string]string {
	m := map[string]string{}
	for i, k := range keys {
		if values[i] != "" {
			m[k] = values[i]
		}
	}
	return m
}
