package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	tekton "github.com/tektoncd/pipeline/pkg/client/clientset/versioned"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/test/harness"
	"github.com/fresnel-ci/fresnel/triggers"
)

// baseline is the bare apiserver creating the runs of a load itself.
type baseline struct {
	runs, clients int
	elapsed       time.Duration
	latencies     []time.Duration
	cpu           map[string]float64
}

func (b baseline) rate() float64 { return float64(b.runs) / b.elapsed.Seconds() }

// apiserverBaseline creates n PipelineRuns, the same ones fresnel would
// create for the load's events, straight through the typed client from
// clients goroutines: the rate and create latency fresnel is compared with.
func apiserverBaseline(ctx context.Context, stack *harness.Stack, n, clients int) (baseline, error) {
	b := baseline{runs: n, clients: clients, latencies: make([]time.Duration, n)}
	ns := fmt.Sprintf("load-baseline-%d", clients)
	if err := stack.Namespace(ctx, ns); err != nil {
		return b, err
	}
	defer cleanup(stack, ns)
	cfg := *stack.Rest
	cfg.QPS, cfg.Burst = 5000, 10000
	client, err := tekton.NewForConfig(&cfg)
	if err != nil {
		return b, err
	}
	runs := client.TektonV1().PipelineRuns(ns)
	cfgJobs, err := triggers.Parse([]byte(loadConfig), "load")
	if err != nil {
		return b, err
	}
	job := cfgJobs.Presubmits["acme/load"][0]
	var next atomic.Int64
	var firstErr atomic.Value
	// Watch as the load run does, so both pay the same for it.
	_, stopWatch, err := watchCreations(ctx, stack, ns)
	if err != nil {
		return b, err
	}
	defer stopWatch()
	var wg sync.WaitGroup
	meter := startCPU(stackPIDs())
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				began := time.Now()
				pr, err := launch.PipelineRun(job, loadEvent(i), ns)
				if err == nil {
					_, err = runs.Create(ctx, pr, metav1.CreateOptions{})
				}
				b.latencies[i-1] = time.Since(began)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	b.elapsed, b.cpu = time.Since(start), meter.spent()
	if err, ok := firstErr.Load().(error); ok {
		return b, err
	}
	return b, nil
}

func (b baseline) print() {
	fmt.Printf("bare apiserver: %d PipelineRuns from %d clients in %.2fs = %.0f/s\n", b.runs, b.clients, b.elapsed.Seconds(), b.rate())
	fmt.Printf("  create latency   p50 %v  p99 %v\n", percentile(b.latencies, .5).Round(time.Microsecond), percentile(b.latencies, .99).Round(time.Microsecond))
	fmt.Printf("  CPU per run      %s\n\n", formatCPU(b.cpu, b.runs))
}

// loadEvent is the event fresnel parses from the load's i-th delivery.
func loadEvent(i int) event.Event {
	return event.Event{
		Provider: "github", Instance: "load", Delivery: fmt.Sprintf("baseline-%d", i),
		Kind: event.KindPullRequest, Action: event.ActionOpened, Number: i,
		Repo:    event.Repo{Owner: "acme", Name: "load", FullName: "acme/load", CloneURL: "https://github.com/acme/load.git"},
		BaseRef: "main", BaseSHA: "1111111111111111111111111111111111111111", HeadSHA: fmt.Sprintf("%040x", i),
		PullRef: fmt.Sprintf("refs/pull/%d/head", i), Author: "octocat",
	}
}
