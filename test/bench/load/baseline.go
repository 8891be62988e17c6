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

// apiserverBaseline creates n PipelineRuns, the same ones fresnel would
// create for the load's events, straight through the typed client from
// senders goroutines: the rate fresnel is compared with.
func apiserverBaseline(ctx context.Context, stack *harness.Stack, n, senders int) (time.Duration, map[string]float64, error) {
	const ns = "load-baseline"
	if err := stack.Namespace(ctx, ns); err != nil {
		return 0, nil, err
	}
	defer cleanup(stack, ns)
	cfg := *stack.Rest
	cfg.QPS, cfg.Burst = 5000, 10000
	client, err := tekton.NewForConfig(&cfg)
	if err != nil {
		return 0, nil, err
	}
	runs := client.TektonV1().PipelineRuns(ns)
	cfgJobs, err := triggers.Parse([]byte(loadConfig), "load")
	if err != nil {
		return 0, nil, err
	}
	job := cfgJobs.Presubmits["acme/load"][0]
	var next atomic.Int64
	var firstErr atomic.Value
	// Watch as the load run does, so both pay the same for it.
	_, stopWatch, err := watchCreations(ctx, stack, ns)
	if err != nil {
		return 0, nil, err
	}
	defer stopWatch()
	var wg sync.WaitGroup
	meter := startCPU(stackPIDs())
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				pr, err := launch.PipelineRun(job, loadEvent(i), ns)
				if err == nil {
					_, err = runs.Create(ctx, pr, metav1.CreateOptions{})
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, ok := firstErr.Load().(error); ok {
		return 0, nil, err
	}
	return elapsed, meter.spent(), nil
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
