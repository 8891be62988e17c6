package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// loadConfig has one always_run job whose runs stay pending in Tekton
// (spec.status: PipelineRunPending), so the run measures intake, not the
// simulated node.
const loadConfig = `
presubmits:
  acme/load:
  - name: unit
    always_run: true
    tekton_pipeline_run_spec:
      v1:
        status: PipelineRunPending
        pipelineSpec:
          tasks:
          - name: unit
            taskSpec:
              steps:
              - name: test
                image: busybox
                script: exit 0
`

var secret = []byte("load-secret")

type result struct {
	events, senders int
	acks            []time.Duration
	toRun           []time.Duration
	elapsed         time.Duration
	failures        atomic.Int64
	missing         atomic.Int64
	apiCalls        int
	peakRSSKiB      int
	cpu             map[string]float64
}

func measure(ctx context.Context, stack *harness.Stack, bin, dir, ns string, events, senders int) (*result, error) {
	if err := stack.Namespace(ctx, ns); err != nil {
		return nil, err
	}
	defer cleanup(stack, ns)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\nproviders:\n- kind: github\n  name: load\n  url: %s\n  secret: {file: hmac}\n", ns, gh.URL)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := harness.StartFresnel(ctx, dir, harness.FresnelOptions{
		Binary: bin, Role: "webhook", Kubeconfig: stack.Kubeconfig, Settings: settings,
		Files: map[string]string{"config.yaml": loadConfig, "hmac": string(secret)},
		Env:   []string{"GOMAXPROCS=2"},
	})
	if err != nil {
		return nil, err
	}
	defer f.Stop()
	seen, stopWatch, err := watchCreations(ctx, stack, ns)
	if err != nil {
		return nil, err
	}
	res := &result{events: events, senders: senders}
	sent := make([]time.Time, events)
	pids := stackPIDs()
	pids["fresnel"] = f.PID()
	meter := startCPU(pids)
	res.acks, res.elapsed = send(f, events, senders, sent, res, stack, ns)
	res.cpu = meter.spent()
	stopWatch()
	res.toRun = webhookToRun(sent, seen)
	res.apiCalls = len(gh.Calls("", ""))
	res.peakRSSKiB = peakRSS(f.PID())
	return res, nil
}

// send delivers events from senders goroutines; every 10th 2xx is checked
// at once for its PipelineRun.
func send(f *harness.Fresnel, events, senders int, sent []time.Time, res *result, stack *harness.Stack, ns string) ([]time.Duration, time.Duration) {
	acks := make([]time.Duration, events)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= events {
					return
				}
				body := harness.GitHubPullRequestEvent("opened", "acme/load", i+1, fmt.Sprintf("%040x", i+1), "main")
				header := harness.GitHubHeader("pull_request", "load-"+strconv.Itoa(i), secret, body)
				sent[i] = time.Now()
				resp, data, err := f.Send("github", "load", header, body)
				acks[i] = time.Since(sent[i])
				if err != nil || resp.StatusCode != http.StatusOK {
					res.failures.Add(1)
					continue
				}
				if i%10 == 0 && !runExists(stack, ns, data) {
					res.missing.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return acks, time.Since(start)
}

func runExists(stack *harness.Stack, ns string, answer []byte) bool {
	s := string(answer)
	i := strings.Index(s, `"name":"`)
	if i < 0 {
		return false
	}
	name, _, ok := strings.Cut(s[i+8:], `"`)
	if !ok {
		return false
	}
	_, err := stack.Tekton.TektonV1().PipelineRuns(ns).Get(context.Background(), name, metav1.GetOptions{})
	return err == nil
}

// watchCreations records when each PipelineRun was first seen, by its
// PULL_NUMBER (event index + 1).
func watchCreations(ctx context.Context, stack *harness.Stack, ns string) (*sync.Map, func(), error) {
	w, err := stack.Tekton.TektonV1().PipelineRuns(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	seen := &sync.Map{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			if ev.Type != watch.Added {
				continue
			}
			if pr, ok := ev.Object.(*pipelinev1.PipelineRun); ok {
				seen.LoadOrStore(pr.Labels["fresnel.dev/pull"], time.Now())
			}
		}
	}()
	return seen, func() { time.Sleep(time.Second); w.Stop(); <-done }, nil
}

func webhookToRun(sent []time.Time, seen *sync.Map) []time.Duration {
	var out []time.Duration
	for i, t := range sent {
		if v, ok := seen.Load(strconv.Itoa(i + 1)); ok {
			out = append(out, v.(time.Time).Sub(t))
		}
	}
	return out
}

// peakRSS reads VmHWM, the process's peak resident set, in KiB.
func peakRSS(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return -1
}

func cleanup(stack *harness.Stack, ns string) {
	_ = stack.Tekton.TektonV1().PipelineRuns(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{})
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p)]
}

func (r *result) print(name string, bare baseline) {
	rate := float64(r.events-int(r.failures.Load())) / r.elapsed.Seconds()
	ackP99, createP99 := percentile(r.acks, .99), percentile(bare.latencies, .99)
	fmt.Printf("%s: %d events from %d senders in %.2fs\n", name, r.events, r.senders, r.elapsed.Seconds())
	fmt.Printf("  ack latency      p50 %v  p99 %v  max %v (p99 %.2fx the bare create's)\n", percentile(r.acks, .5).Round(time.Microsecond), ackP99.Round(time.Microsecond),
		percentile(r.acks, 1).Round(time.Microsecond), float64(ackP99)/float64(createP99))
	fmt.Printf("  throughput       %.0f events/s = %.0f PipelineRuns/s (%.2f of the bare apiserver's rate at %d clients)\n", rate, rate, rate/bare.rate(), bare.clients)
	fmt.Printf("  webhook->run     p50 %v  p99 %v (watch event seen)\n", percentile(r.toRun, .5).Round(time.Microsecond), percentile(r.toRun, .99).Round(time.Microsecond))
	fmt.Printf("  failures %d; runs missing right after their 2xx: %d (checked every 10th)\n", r.failures.Load(), r.missing.Load())
	fmt.Printf("  SCM API calls    %d for %d opened PRs (%.2f per event)\n", r.apiCalls, r.events, float64(r.apiCalls)/float64(r.events))
	fmt.Printf("  peak RSS         %.1f MiB\n", float64(r.peakRSSKiB)/1024)
	fmt.Printf("  CPU per event    %s\n\n", formatCPU(r.cpu, r.events))
}
