// Command load measures fresnel's webhook intake on the local stack: ack
// latency, events/s, PipelineRuns/s, webhook-to-PipelineRun latency, SCM
// API calls per event and peak RSS, against the bare apiserver's own
// creation rate. Traffic goes to loopback only; every loop is bounded.
//
//	go run ./test/bench/load [-events 1000] [-senders 8] [-burst 2000] [-burst-senders 32]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/fresnel-ci/fresnel/test/harness"
)

func main() {
	events := flag.Int("events", 1000, "events in the steady run")
	senders := flag.Int("senders", 8, "concurrent senders in the steady run")
	burst := flag.Int("burst", 2000, "events in the burst run")
	burstSenders := flag.Int("burst-senders", 32, "concurrent senders in the burst run")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, plan{*events, *senders, *burst, *burstSenders})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type plan struct{ events, senders, burst, burstSenders int }

func run(ctx context.Context, p plan) error {
	startedStack := !harness.StackRunning(ctx)
	stack, err := harness.UpStack(ctx)
	if err != nil {
		return err
	}
	if startedStack {
		defer func() { _ = harness.DownStack(context.Background()) }()
	}
	dir, err := os.MkdirTemp("", "fresnel-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := harness.BuildFresnel(ctx, dir)
	if err != nil {
		return err
	}
	baseline, cpu, err := apiserverBaseline(ctx, stack, p.burst, p.burstSenders)
	if err != nil {
		return err
	}
	fmt.Printf("bare apiserver: %d PipelineRuns from %d clients in %.2fs = %.0f/s\n", p.burst, p.burstSenders, baseline.Seconds(), float64(p.burst)/baseline.Seconds())
	fmt.Printf("  CPU per run      %s\n\n", formatCPU(cpu, p.burst))
	steady, err := measure(ctx, stack, bin, filepath.Join(dir, "steady"), "load-steady", p.events, p.senders)
	if err != nil {
		return err
	}
	steady.print("steady", float64(p.burst)/baseline.Seconds())
	burst, err := measure(ctx, stack, bin, filepath.Join(dir, "burst"), "load-burst", p.burst, p.burstSenders)
	if err != nil {
		return err
	}
	burst.print("burst", float64(p.burst)/baseline.Seconds())
	return nil
}
