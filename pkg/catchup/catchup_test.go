package catchup

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tektonfake "github.com/tektoncd/pipeline/pkg/client/clientset/versioned/fake"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

const jobsYAML = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: lint
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
`

const namespace = "ci"

// pushed is the pull_request event whose delivery failed in the outage.
var pushed = event.Event{
	Provider: "github", Instance: "public", Delivery: "d-1", Kind: event.KindPullRequest, Action: event.ActionSynchronize,
	Repo:   event.Repo{Owner: "org", Name: "repo", FullName: "org/repo", CloneURL: "https://github.com/org/repo.git"},
	Number: 7, BaseRef: "main", HeadRef: "feature", HeadSHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e", Author: "octocat",
}

// scm stands in for an SCM that remembers the failed delivery: Redeliver
// sends it again to the webhook's handler, as GitHub does after
// POST .../attempts; OpenPullRequests lists the pull request at its head.
type scm struct {
	deliver     func(ev event.Event)
	redelivered atomic.Int32
}

func (s *scm) Verify(context.Context, *http.Request, []byte) error { return nil }
func (s *scm) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}
func (s *scm) IsOrgMember(context.Context, string, string) (bool, error)    { return true, nil }
func (s *scm) IsCollaborator(context.Context, string, string) (bool, error) { return true, nil }

func (s *scm) OpenPullRequests(_ context.Context, repo string, since time.Time) ([]event.Event, error) {
	ev := pushed
	ev.Provider, ev.Instance, ev.Delivery = "", "", ""
	return []event.Event{ev}, nil
}

// redeliverable is an scm that can redeliver.
type redeliverable struct{ *scm }

func (s redeliverable) Redeliver(_ context.Context, repo, hookPath string, since time.Time) (int, error) {
	s.redelivered.Add(1)
	s.deliver(pushed)
	return 1, nil
}

// cluster is a fake Tekton API that refuses to create runs while down.
type cluster struct {
	client *tektonfake.Clientset
	down   atomic.Bool
}

func newCluster() *cluster {
	c := &cluster{client: tektonfake.NewSimpleClientset()}
	c.client.PrependReactor("*", "pipelineruns", func(k8stesting.Action) (bool, runtime.Object, error) {
		if c.down.Load() {
			return true, nil, apierrors.NewServiceUnavailable("the apiserver is stopped")
		}
		return false, nil, nil
	})
	return c
}

// runsByJob counts the PipelineRuns of each job.
func (c *cluster) runsByJob(t *testing.T) map[string]int {
	t.Helper()
	list, err := c.client.TektonV1().PipelineRuns(namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, pr := range list.Items {
		out[pr.Labels[run.LabelJob]]++
	}
	return out
}

type instances map[string]providers.Instance

func (m instances) Get(kind, name string) (providers.Instance, bool) {
	in, ok := m[kind+"/"+name]
	return in, ok
}

func newDispatcher(t *testing.T, c *cluster) *dispatch.Dispatcher {
	t.Helper()
	cfg, err := triggers.Parse([]byte(jobsYAML), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := &launch.Launcher{Namespace: namespace, Runs: func(ns string) launch.RunCreator { return c.client.TektonV1().PipelineRuns(ns) }}
	return &dispatch.Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: l}
}

// TestRecoverStartsEachJobOnce: a delivery fails while the cluster is
// down; once it is back, catch-up redelivers (where the SCM can) and
// reconciles the open pull request, by one replica or two at once, and
// each job has exactly one run.
func TestRecoverStartsEachJobOnce(t *testing.T) {
	tests := []struct {
		name           string
		redeliverer    bool
		replicas       int
		wantReconciled int
		wantDelivery   string
	}{
		{name: "redelivered, then the reconcile finds the runs", redeliverer: true, replicas: 1, wantDelivery: "d-1"},
		{name: "no redelivery: the reconcile starts the jobs", replicas: 1, wantReconciled: 1, wantDelivery: "catchup-" + pushed.HeadSHA},
		{name: "two replicas redeliver and reconcile at once", redeliverer: true, replicas: 2, wantDelivery: "d-1"},
		{name: "two replicas reconcile at once", replicas: 2, wantDelivery: "catchup-" + pushed.HeadSHA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster()
			d := newDispatcher(t, c)
			fake := &scm{}
			var intake providers.Intake = fake
			if tc.redeliverer {
				intake = redeliverable{fake}
			}
			in := providers.Instance{Config: providers.Config{Kind: "github", Name: "public"}, Intake: intake}
			loops := make([]*Loop, tc.replicas)
			for i := range loops {
				outage := &Outage{MaxRepos: 10}
				rec := &Recording{Next: d, Outage: outage}
				fake.deliver = func(ev event.Event) { _, _ = rec.Handle(context.Background(), in, ev) }
				loops[i] = &Loop{Outage: outage, Instances: instances{"github/public": in}, Runs: ClusterRuns{Runs: c.client.TektonV1().PipelineRuns(namespace)},
					Handler: d, HookPath: func(k, n string) string { return "/hook/" + k + "/" + n }}
				c.down.Store(true)
				if _, err := rec.Handle(context.Background(), in, pushed); err == nil {
					t.Fatal("the delivery succeeded while the cluster was down")
				}
				if !outage.Active() {
					t.Fatal("the failed delivery was not remembered")
				}
			}
			c.down.Store(false)
			reports := make([]Report, len(loops))
			var wg sync.WaitGroup
			for i, l := range loops {
				wg.Add(1)
				go func() { defer wg.Done(); reports[i] = l.Recover(context.Background()) }()
			}
			wg.Wait()
			if got := c.runsByJob(t); len(got) != 2 || got["unit"] != 1 || got["lint"] != 1 {
				t.Errorf("runs by job = %v, want one of unit and one of lint", got)
			}
			reconciled := 0
			for _, r := range reports {
				reconciled += r.Reconciled
				if len(r.Errors) > 0 {
					t.Errorf("recover errors: %v", r.Errors)
				}
			}
			if tc.replicas == 1 && reconciled != tc.wantReconciled {
				t.Errorf("reconciled = %d, want %d", reconciled, tc.wantReconciled)
			}
			list, _ := c.client.TektonV1().PipelineRuns(namespace).List(context.Background(), metav1.ListOptions{})
			for _, pr := range list.Items {
				if got := pr.Annotations[run.AnnotationDelivery]; got != tc.wantDelivery {
					t.Errorf("run %s came from delivery %q, want %q", pr.Name, got, tc.wantDelivery)
				}
			}
		})
	}
}

// TestRecoverRemembersWhatStillFails: a reconcile that meets the cluster
// down again keeps the outage for the next round.
func TestRecoverRemembersWhatStillFails(t *testing.T) {
	c := newCluster()
	d := newDispatcher(t, c)
	in := providers.Instance{Config: providers.Config{Kind: "github", Name: "public"}, Intake: &scm{}}
	outage := &Outage{MaxRepos: 10}
	began := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	outage.Failed(InstanceKey{"github", "public"}, "org/repo", began)
	loop := &Loop{Outage: outage, Instances: instances{"github/public": in}, Runs: fakeRuns{}, Handler: d,
		HookPath: func(k, n string) string { return "/hook/" + k + "/" + n }}
	c.down.Store(true)
	rep := loop.Recover(context.Background())
	if len(rep.Errors) != 1 || rep.Reconciled != 0 {
		t.Fatalf("report = %+v, want one error and nothing reconciled", rep)
	}
	snap := outage.Take()
	if !snap.Since.Equal(began) || len(snap.Repos[InstanceKey{"github", "public"}]) != 1 {
		t.Errorf("outage after a failed round = %+v, want org/repo since %s", snap, began)
	}
}

// fakeRuns answers that no commit has runs.
type fakeRuns struct{}

func (fakeRuns) HasRuns(context.Context, string, string, string) (bool, error) { return false, nil }
func (fakeRuns) Ping(context.Context) error                                    { return nil }

func TestOutage(t *testing.T) {
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	gh, gl := InstanceKey{"github", "public"}, InstanceKey{"gitlab", "corp"}
	tests := map[string]struct {
		failed      []InstanceKey
		repos       []string
		times       []time.Duration
		wantSince   time.Duration
		wantRepos   map[InstanceKey][]string
		wantDropped int
	}{
		"earliest failure is the start, repos once each": {
			failed: []InstanceKey{gh, gh, gl}, repos: []string{"b/r", "a/r", "b/r"}, times: []time.Duration{5, 2, 9},
			wantSince: 2, wantRepos: map[InstanceKey][]string{gh: {"a/r", "b/r"}, gl: {"b/r"}},
		},
		"past MaxRepos, repos are dropped and counted": {
			failed: []InstanceKey{gh, gh, gh, gh}, repos: []string{"a/r", "b/r", "c/r", "a/r"}, times: []time.Duration{1, 2, 3, 4},
			wantSince: 1, wantRepos: map[InstanceKey][]string{gh: {"a/r", "b/r"}}, wantDropped: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o := &Outage{MaxRepos: 2}
			for i := range tc.failed {
				o.Failed(tc.failed[i], tc.repos[i], at.Add(tc.times[i]*time.Second))
			}
			snap := o.Take()
			if !snap.Since.Equal(at.Add(tc.wantSince*time.Second)) || snap.Dropped != tc.wantDropped {
				t.Errorf("since %s dropped %d, want %s and %d", snap.Since, snap.Dropped, at.Add(tc.wantSince*time.Second), tc.wantDropped)
			}
			for k, want := range tc.wantRepos {
				got := snap.Repos[k]
				sort.Strings(got)
				if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
					t.Errorf("repos of %v = %v, want %v", k, got, want)
				}
			}
			if o.Active() {
				t.Error("the outage is still active after Take")
			}
		})
	}
}

func TestClusterDown(t *testing.T) {
	gr := schema.GroupResource{Group: "tekton.dev", Resource: "pipelineruns"}
	tests := map[string]struct {
		err  error
		want bool
	}{
		"unavailable":         {err: apierrors.NewServiceUnavailable("down"), want: true},
		"server timeout":      {err: apierrors.NewServerTimeout(gr, "create", 1), want: true},
		"too many requests":   {err: apierrors.NewTooManyRequests("slow down", 1), want: true},
		"deadline":            {err: context.DeadlineExceeded, want: true},
		"wrapped unavailable": {err: errors.Join(errors.New("launch: create"), apierrors.NewServiceUnavailable("down")), want: true},
		"forbidden":           {err: apierrors.NewForbidden(gr, "x", errors.New("no")), want: false},
		"invalid":             {err: apierrors.NewBadRequest("bad spec"), want: false},
		"plain error":         {err: errors.New("no job config"), want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ClusterDown(tc.err); got != tc.want {
				t.Errorf("ClusterDown(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
