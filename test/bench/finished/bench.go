package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/retry"
	"knative.dev/pkg/apis"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
	"github.com/fresnel-ci/fresnel/triggers"
)

// jobConfig is a typical presubmit: a two-step task, as the runs the
// controller holds would be.
const jobConfig = `
presubmits:
  acme/widgets:
  - name: unit-tests
    always_run: true
    pipeline_run_spec:
      pipelineSpec:
        params:
        - {name: PULL_PULL_SHA, type: string}
        tasks:
        - name: unit
          params:
          - {name: sha, value: $(params.PULL_PULL_SHA)}
          taskSpec:
            params:
            - {name: sha, type: string}
            steps:
            - {name: clone, image: alpine/git, script: "git clone https://github.com/acme/widgets . && git checkout $(params.sha)"}
            - {name: test, image: golang:1.26, script: "go test ./..."}
`

type bench struct {
	stack   *harness.Stack
	ns      string
	workers int
	job     *triggers.Job
}

// template builds run i: a presubmit of one of 100 repositories and 10
// jobs, on a commit of its own.
func (b *bench) template(i int, name string) (*pipelinev1.PipelineRun, error) {
	if b.job == nil {
		cfg, err := triggers.Parse([]byte(jobConfig), "config.yaml")
		if err != nil {
			return nil, err
		}
		b.job = cfg.Presubmits["acme/widgets"][0]
	}
	job := *b.job
	job.Name = fmt.Sprintf("unit-tests-%d", i%10)
	job.Context = job.Name
	repo := fmt.Sprintf("widgets-%d", i%100)
	ev := event.Event{
		Provider: "github", Instance: "bench", Delivery: fmt.Sprintf("delivery-%d", i), Kind: event.KindPullRequest,
		Repo:    event.Repo{Owner: "acme", Name: repo, FullName: "acme/" + repo, CloneURL: "https://github.com/acme/" + repo + ".git", Link: "https://github.com/acme/" + repo},
		BaseRef: "main", BaseSHA: fmt.Sprintf("%040x", 1_000_000+i), HeadSHA: fmt.Sprintf("%040x", i), Number: 1 + i%5000,
		PullRef: fmt.Sprintf("refs/pull/%d/head", 1+i%5000), HeadRef: "feature", Title: "Make the widgets faster", Author: "octocat",
		Link: fmt.Sprintf("https://github.com/acme/%s/pull/%d", repo, 1+i%5000),
	}
	pr, err := launch.Build(&job, ev, launch.Options{Namespace: b.ns})
	if err != nil {
		return nil, err
	}
	pr.Name = name
	pr.Spec.Status = pipelinev1.PipelineRunSpecStatusPending // Tekton leaves it alone
	return pr, nil
}

// finish gives pr the status Tekton leaves on a run that succeeded at
// done: conditions, times, its TaskRun and the resolved pipeline.
func finish(pr *pipelinev1.PipelineRun, done time.Time) {
	pr.Status.StartTime = &metav1.Time{Time: done.Add(-90 * time.Second)}
	pr.Status.CompletionTime = &metav1.Time{Time: done}
	pr.Status.SetCondition(&apis.Condition{Type: apis.ConditionSucceeded, Status: corev1.ConditionTrue,
		Reason: pipelinev1.PipelineRunReasonSuccessful.String(), Message: "Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0"})
	pr.Status.PipelineSpec = pr.Spec.PipelineSpec.DeepCopy()
	pr.Status.ChildReferences = []pipelinev1.ChildStatusReference{{
		TypeMeta: runtime.TypeMeta{APIVersion: "tekton.dev/v1", Kind: "TaskRun"}, Name: pr.Name + "-unit", PipelineTaskName: "unit",
	}}
}

// make creates pr; with waitTekton it waits until Tekton has marked the
// new run pending, then marks it finished at done. Without the wait,
// Tekton may overwrite the finished status with its pending mark, read
// before: repair finishes such runs again.
// A zero done is the moment the status is written, which make returns.
func (b *bench) make(ctx context.Context, pr *pipelinev1.PipelineRun, done time.Time, waitTekton bool) (time.Time, error) {
	runs := b.stack.Tekton.TektonV1().PipelineRuns(b.ns)
	created, err := runs.Create(ctx, pr, metav1.CreateOptions{})
	if err != nil {
		return done, fmt.Errorf("create %s: %w", pr.Name, err)
	}
	if waitTekton {
		err := harness.WaitFor(time.Minute, 20*time.Millisecond, func() (bool, error) {
			created, err = runs.Get(ctx, pr.Name, metav1.GetOptions{})
			return err == nil && created.Status.GetCondition(apis.ConditionSucceeded) != nil, err
		})
		if err != nil {
			return done, fmt.Errorf("%s: Tekton's pending mark: %w", pr.Name, err)
		}
	}
	if done.IsZero() {
		done = time.Now()
	}
	return done, b.finishRun(ctx, created, done)
}

// finishRun writes a finished status on pr, retrying on conflicts.
func (b *bench) finishRun(ctx context.Context, pr *pipelinev1.PipelineRun, done time.Time) error {
	runs := b.stack.Tekton.TektonV1().PipelineRuns(b.ns)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		finish(pr, done)
		_, err := runs.UpdateStatus(ctx, pr, metav1.UpdateOptions{})
		if err != nil {
			if fresh, getErr := runs.Get(ctx, pr.Name, metav1.GetOptions{}); getErr == nil {
				pr = fresh
			}
		}
		return err
	})
}

// repair finishes again the runs whose status Tekton overwrote, until
// every run is finished (at most ten rounds).
func (b *bench) repair(ctx context.Context) (int, error) {
	repaired := 0
	for range 10 {
		time.Sleep(3 * time.Second)
		list, err := b.stack.Tekton.TektonV1().PipelineRuns(b.ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return repaired, err
		}
		open := 0
		for i := range list.Items {
			if pr := &list.Items[i]; !pr.IsDone() {
				open++
				if err := b.finishRun(ctx, pr, time.Now().Add(-time.Hour)); err != nil {
					return repaired, err
				}
			}
		}
		if open == 0 {
			return repaired, nil
		}
		repaired += open
	}
	return repaired, fmt.Errorf("runs still unfinished after ten repairs")
}

// fill makes up to n finished runs, already reported and settled, from b.workers
// clients, for at most limit; it returns how many it made.
func (b *bench) fill(ctx context.Context, n int, limit time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next, made atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range b.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := b.fillOne(ctx, i); err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					cancel()
					return
				}
				if m := made.Add(1); m%2000 == 0 {
					fmt.Printf("  %d runs made\n", m)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil && ctx.Err() == nil {
		return int(made.Load()), firstErr
	}
	return int(made.Load()), nil
}

func (b *bench) fillOne(ctx context.Context, i int) error {
	pr, err := b.template(i, fmt.Sprintf("done-%06d", i))
	if err != nil {
		return err
	}
	// Reported and settled, as the controller leaves a run it reported.
	done := time.Now().Add(-time.Hour)
	pr.Annotations[run.AnnotationReportedState] = "success"
	pr.Labels[run.LabelSettled] = "true"
	pr.Annotations[run.AnnotationResult] = pipelinev1.PipelineRunReasonSuccessful.String()
	pr.Annotations[run.AnnotationFinishedAt] = done.UTC().Format(time.RFC3339)
	pr.Annotations[run.AnnotationJobName] = pr.Labels[run.LabelJob]
	_, err = b.make(ctx, pr, done, false)
	return err
}

// statuses records when each commit's final status reached the SCM.
type statuses struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (s *statuses) handle(w http.ResponseWriter, r *http.Request) {
	var body struct {
		State string `json:"state"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	if body.State == "success" {
		s.mu.Lock()
		if _, ok := s.seen[r.PathValue("sha")]; !ok {
			s.seen[r.PathValue("sha")] = time.Now()
		}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = fmt.Fprintf(w, `{"id":1,"state":%q,"context":"bench"}`, body.State)
}

func (s *statuses) at(sha string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.seen[sha]
	return t, ok
}

type result struct {
	ready       time.Duration
	ledger      time.Duration // until the ledger held every settled run
	rssReadyKiB int
	peakKiB     int
	// heapInUse is the Go heap in use once synced (go_memstats_heap_inuse_bytes).
	heapInUse          float64
	latencies          []time.Duration
	missing, requested int
}

// measure starts the controller over the filled namespace, then finishes
// reports runs one by one and times each one's report.
func (b *bench) measure(ctx context.Context, bin, dir string, reports, made int) (*result, error) {
	st := &statuses{seen: map[string]time.Time{}}
	scm := harness.NewFakeSCM()
	defer scm.Close()
	scm.Handle("POST /repos/{owner}/{repo}/statuses/{sha}", st.handle)
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\nproviders:\n- kind: github\n  name: bench\n  url: %s\n  secret: {file: hmac}\n  token: {file: token}\n", b.ns, scm.URL)
	fdir := filepath.Join(dir, "controller")
	if err := os.MkdirAll(fdir, 0o755); err != nil {
		return nil, err
	}
	start := time.Now()
	f, err := harness.StartFresnel(ctx, fdir, harness.FresnelOptions{
		Binary: bin, Role: "controller", Kubeconfig: b.stack.Kubeconfig, Settings: settings,
		Files: map[string]string{"config.yaml": jobConfig, "hmac": "bench-secret", "token": "ghp_bench"},
		Env:   []string{"GOMAXPROCS=2", "FRESNEL_PPROF=true"},
	})
	if err != nil {
		return nil, err
	}
	defer f.Stop()
	res := &result{ready: time.Since(start), requested: reports}
	// Warm: the ledger of settled runs loaded, the first garbage
	// collection pass and the resync settled.
	err = harness.WaitFor(5*time.Minute, 100*time.Millisecond, func() (bool, error) {
		return scrapeGauge(f.MetricsURL+"/metrics", "fresnel_settled_runs") >= float64(made), nil
	})
	if err != nil {
		return nil, fmt.Errorf("the ledger of settled runs: %w", err)
	}
	res.ledger = time.Since(start)
	time.Sleep(5 * time.Second)
	res.rssReadyKiB = procStatus(f.PID(), "VmRSS:")
	res.heapInUse = scrapeGauge(f.MetricsURL+"/metrics", "go_memstats_heap_inuse_bytes")
	go saveProfile(f.MetricsURL+"/debug/pprof/profile?seconds=10", filepath.Join(os.TempDir(), "fresnel-finished-cpu.pprof"))
	go saveProfile(f.MetricsURL+"/debug/pprof/heap", filepath.Join(os.TempDir(), "fresnel-finished-heap.pprof"))
	res.latencies, res.missing = b.timeReports(ctx, st, reports)
	res.peakKiB = procStatus(f.PID(), "VmHWM:")
	return res, nil
}

// timeReports makes reports runs, 20 a second, each pending first and
// finished once Tekton has seen it, and returns the time from each one's finish
// to its success status reaching the SCM.
func (b *bench) timeReports(ctx context.Context, st *statuses, reports int) ([]time.Duration, int) {
	finished := make(map[string]time.Time, reports)
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := range reports {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, err := b.template(1_000_000+i, fmt.Sprintf("timed-%06d", i))
			if err != nil {
				return
			}
			done, err := b.make(ctx, pr, time.Time{}, true)
			if err != nil {
				fmt.Fprintln(os.Stderr, "finished:", err)
				return
			}
			mu.Lock()
			finished[pr.Annotations[run.AnnotationSHA]] = done
			mu.Unlock()
		}()
	}
	wg.Wait()
	_ = harness.WaitFor(2*time.Minute, 100*time.Millisecond, func() (bool, error) {
		for sha := range finished {
			if _, ok := st.at(sha); !ok {
				return false, nil
			}
		}
		return true, nil
	})
	var out []time.Duration
	for sha, done := range finished {
		if at, ok := st.at(sha); ok {
			out = append(out, at.Sub(done))
		}
	}
	return out, reports - len(out)
}

// procStatus reads a /proc/PID/status field in KiB.
func procStatus(pid int, field string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return -1
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

func (r *result) print(runs int) {
	fmt.Printf("controller over %d finished runs:\n", runs)
	fmt.Printf("  ready (cache synced)  %s\n", r.ready.Round(time.Millisecond))
	fmt.Printf("  settled runs loaded   %s after start\n", r.ledger.Round(time.Millisecond))
	fmt.Printf("  RSS once warm         %.1f MiB (target <= 200 MiB)\n", float64(r.rssReadyKiB)/1024)
	fmt.Printf("  Go heap in use        %.1f MiB (of that RSS)\n", r.heapInUse/(1<<20))
	fmt.Printf("  peak RSS              %.1f MiB\n", float64(r.peakKiB)/1024)
	fmt.Printf("  finish -> report      p50 %v  p99 %v  max %v over %d runs (target p99 <= 2s); %d not reported\n",
		percentile(r.latencies, .5).Round(time.Millisecond), percentile(r.latencies, .99).Round(time.Millisecond),
		percentile(r.latencies, 1).Round(time.Millisecond), len(r.latencies), r.missing)
}

// cleanup deletes the namespace's runs in one call; the namespace itself
// stays (nothing on the local stack finishes deleting one).
func cleanup(stack *harness.Stack, ns string) {
	_ = stack.Tekton.TektonV1().PipelineRuns(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{})
}

// scrapeGauge reads one unlabelled sample from a Prometheus text page; 0
// when it cannot.
func scrapeGauge(url, name string) float64 {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// saveProfile writes what url serves (a pprof profile) to path, for
// go tool pprof; a failure is printed and ignored.
func saveProfile(url, path string) {
	resp, err := http.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "finished: profile:", err)
		return
	}
	defer resp.Body.Close()
	out, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "finished: profile:", err)
		return
	}
	defer out.Close()
	if _, err := io.Copy(out, resp.Body); err == nil {
		fmt.Println("  profile               " + path)
	}
}
