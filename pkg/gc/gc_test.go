package gc

import (
	"context"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"knative.dev/pkg/apis"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// spec describes a test run: its job, type, age at creation and at
// completion in hours (finishedAgo < 0: still running), and what was
// reported of it.
type spec struct {
	name, job, typ   string
	createdAgo       float64
	finishedAgo      float64
	reported, result string
	skipReport       bool
}

func (s spec) run() *pipelinev1.PipelineRun {
	ago := func(h float64) time.Time { return now.Add(-time.Duration(h * float64(time.Hour))) }
	typ := s.typ
	if typ == "" {
		typ = "postsubmit"
	}
	pr := &pipelinev1.PipelineRun{ObjectMeta: metav1.ObjectMeta{
		Name: s.name, Namespace: "ci", UID: types.UID("uid-" + s.name),
		CreationTimestamp: metav1.NewTime(ago(s.createdAgo)),
		Labels:            map[string]string{run.LabelManaged: "true", run.LabelJob: s.job, run.LabelRepo: "acme.widgets", run.LabelType: typ},
		Annotations:       map[string]string{},
	}}
	if s.reported != "" {
		pr.Annotations[run.AnnotationReportedState] = s.reported
	}
	if s.skipReport {
		pr.Annotations[run.AnnotationSkipReport] = "true"
	}
	if s.finishedAgo < 0 {
		return pr
	}
	status := corev1.ConditionTrue
	if s.result == "failure" {
		status = corev1.ConditionFalse
	}
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: status, Reason: "Failed"})
	pr.Status.StartTime = &metav1.Time{Time: ago(s.createdAgo)}
	pr.Status.CompletionTime = &metav1.Time{Time: ago(s.finishedAgo)}
	return pr
}

func TestSelect(t *testing.T) {
	week := 7 * 24.0
	for _, tc := range []struct {
		name           string
		policy         Policy
		runs           []spec
		want           map[string]Reason
		wantUnreported int
	}{{
		name:   "older than maxAge, counted from the finish",
		policy: Policy{MaxAge: 7 * 24 * time.Hour},
		runs: []spec{
			{name: "old", job: "build", createdAgo: week + 2, finishedAgo: week + 1, reported: "success"},
			{name: "long-running", job: "build", createdAgo: week + 2, finishedAgo: week - 1, reported: "success"},
			{name: "new", job: "build", createdAgo: 1, finishedAgo: 0.5, reported: "success"},
		},
		want: map[string]Reason{"old": ReasonAge},
	}, {
		name:   "never an unfinished or unreported run",
		policy: Policy{MaxAge: time.Hour},
		runs: []spec{
			{name: "running", job: "build", createdAgo: 100, finishedAgo: -1, reported: "pending"},
			{name: "reported-pending", job: "build", createdAgo: 100, finishedAgo: 99, reported: "pending"},
			{name: "not-reported", job: "build", createdAgo: 100, finishedAgo: 99},
			{name: "reported-other", job: "build", createdAgo: 100, finishedAgo: 99, reported: "success", result: "failure"},
			{name: "skip-report", job: "build", createdAgo: 100, finishedAgo: 99, skipReport: true},
			{name: "reported", job: "build", createdAgo: 100, finishedAgo: 99, reported: "failure", result: "failure"},
		},
		want:           map[string]Reason{"skip-report": ReasonAge, "reported": ReasonAge},
		wantUnreported: 3,
	}, {
		name:   "beyond the newest N of a job and repository",
		policy: Policy{KeepPerJob: 2},
		runs: []spec{
			{name: "b1", job: "build", createdAgo: 4, finishedAgo: 3, reported: "success"},
			{name: "b2", job: "build", createdAgo: 3, finishedAgo: 2, reported: "success"},
			{name: "b3", job: "build", createdAgo: 2, finishedAgo: 1, reported: "success"},
			{name: "b4", job: "build", createdAgo: 1, finishedAgo: -1},
			{name: "l1", job: "lint", createdAgo: 9, finishedAgo: 8, reported: "success"},
			{name: "l2", job: "lint", createdAgo: 8, finishedAgo: 7, reported: "success"},
		},
		want: map[string]Reason{"b1": ReasonCount},
	}, {
		name:   "the newest run of a configured periodic stays, however old",
		policy: Policy{MaxAge: time.Hour, Periodics: map[string]bool{"nightly": true}},
		runs: []spec{
			{name: "n1", job: "nightly", typ: "periodic", createdAgo: 48, finishedAgo: 47, reported: "success"},
			{name: "n2", job: "nightly", typ: "periodic", createdAgo: 24, finishedAgo: 23, reported: "success"},
			{name: "gone1", job: "removed", typ: "periodic", createdAgo: 24, finishedAgo: 23, reported: "success"},
		},
		want: map[string]Reason{"n1": ReasonAge, "gone1": ReasonAge},
	}, {
		name:   "zero policy deletes nothing",
		policy: Policy{},
		runs:   []spec{{name: "ancient", job: "build", createdAgo: 10000, finishedAgo: 9999, reported: "success"}},
		want:   map[string]Reason{},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var runs []Entry
			for _, s := range tc.runs {
				runs = append(runs, EntryOf(s.run()))
			}
			victims, unreported := Select(runs, tc.policy, now)
			got := map[string]Reason{}
			for _, v := range victims {
				got[v.Run.Name] = v.Reason
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("deleted (-want +got):\n%s", diff)
			}
			if unreported != tc.wantUnreported {
				t.Errorf("%d kept as unreported, want %d", unreported, tc.wantUnreported)
			}
		})
	}
}

// Two runs of a periodic created in the same second (runs fresnel did not
// schedule carry no tick) keep the same one whatever order the cache lists
// them in.
func TestSelectKeepsTheSamePeriodicRunWhateverTheListOrder(t *testing.T) {
	a := EntryOf(spec{name: "nightly-a", job: "nightly", typ: "periodic", createdAgo: 3, finishedAgo: 2, reported: "success"}.run())
	b := EntryOf(spec{name: "nightly-b", job: "nightly", typ: "periodic", createdAgo: 3, finishedAgo: 2, reported: "success"}.run())
	policy := Policy{MaxAge: time.Hour}
	for _, runs := range [][]Entry{{a, b}, {b, a}} {
		victims, _ := Select(runs, policy, now)
		if len(victims) != 1 || victims[0].Run.Name != a.Name {
			t.Errorf("listed as %s, %s: deleted %v, want only nightly-a (nightly-b sorts as the newer)", runs[0].Name, runs[1].Name, victims)
		}
	}
}

func TestCollectorDeletesAtItsPace(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := pipelinev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	var objs []client.Object
	for _, name := range []string{"a", "b", "c", "d"} {
		pr := spec{name: name, job: "build", createdAgo: 200, finishedAgo: 199, reported: "success"}.run()
		settle(pr)
		objs = append(objs, pr)
	}
	objs = append(objs, spec{name: "fresh", job: "lint", createdAgo: 2, finishedAgo: 1, reported: "success"}.run())
	objs = append(objs, spec{name: "unreported", job: "lint", createdAgo: 200, finishedAgo: 199}.run())
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()
	clk := clocktesting.NewFakeClock(now)
	pages := interceptor.NewClient(c, interceptor.Funcs{List: listInPages})
	var gone []types.UID
	col := &Collector{Runs: pages, PageSize: 2, Cached: c, Deleter: c, Namespace: "ci", Policy: Policy{MaxAge: 7 * 24 * time.Hour}, PerSecond: 2, Clock: clk,
		Gone: func(uid types.UID) { gone = append(gone, uid) }}
	before := testutil.ToFloat64(metrics.GCDeletions.WithLabelValues("age", "deleted"))

	done := make(chan int, 1)
	go func() {
		n, err := col.Collect(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- n
	}()
	// Four deletions at two a second: three half-second waits.
	for range 3 {
		waitForWaiter(t, clk)
		clk.Step(500 * time.Millisecond)
	}
	if n := <-done; n != 4 {
		t.Errorf("deleted %d, want 4", n)
	}
	if got := clk.Since(now); got != 1500*time.Millisecond {
		t.Errorf("took %s of the clock, want 1.5s", got)
	}
	var left pipelinev1.PipelineRunList
	if err := c.List(context.Background(), &left); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pr := range left.Items {
		names = append(names, pr.Name)
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"fresh", "unreported"}, names); diff != "" {
		t.Errorf("left (-want +got):\n%s", diff)
	}
	if got := testutil.ToFloat64(metrics.GCDeletions.WithLabelValues("age", "deleted")) - before; got != 4 {
		t.Errorf("counted %v deletions, want 4", got)
	}
	if len(gone) != 4 {
		t.Errorf("told of %d runs gone (%v), want the 4 deleted", len(gone), gone)
	}
	if got := testutil.ToFloat64(metrics.GCUnreported); got != 1 {
		t.Errorf("unreported gauge %v, want 1", got)
	}
}

// settle labels pr settled and annotates its finish, as the reporter
// does once its result is reported.
func settle(pr *pipelinev1.PipelineRun) {
	pr.Labels[run.LabelSettled] = "true"
	pr.Annotations[run.AnnotationFinishedAt] = pr.Status.CompletionTime.UTC().Format(time.RFC3339)
}

// listInPages lists metadata as the API server does with a limit: by
// name, at most Limit a page, and a continue token while more are left.
func listInPages(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
	var o client.ListOptions
	o.ApplyOptions(opts)
	if err := c.List(ctx, list, &client.ListOptions{Namespace: o.Namespace, LabelSelector: o.LabelSelector}); err != nil {
		return err
	}
	page := list.(*metav1.PartialObjectMetadataList)
	sort.Slice(page.Items, func(i, j int) bool { return page.Items[i].Name < page.Items[j].Name })
	from, _ := strconv.Atoi(o.Continue)
	to := min(from+int(o.Limit), len(page.Items))
	page.Continue = ""
	if to < len(page.Items) {
		page.Continue = strconv.Itoa(to)
	}
	page.Items = page.Items[from:to]
	return nil
}

func waitForWaiter(t *testing.T, clk *clocktesting.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !clk.HasWaiters() {
		if time.Now().After(deadline) {
			t.Fatal("collector did not wait on the clock within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
