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
	return harness.WithStack(ctx, "load", func(s harness.Suite) error { return runOn(ctx, p, s.Stack, s.Binary, s.Dir) })
}

func runOn(ctx context.Context, p plan, stack *harness.Stack, bin, dir string) error {
	// Each run is compared with the bare apiserver at its own concurrency.
	for _, r := range []struct {
		name            string
		events, senders int
	}{{"steady", p.events, p.senders}, {"burst", p.burst, p.burstSenders}} {
		bare, err := apiserverBaseline(ctx, stack, r.events, r.senders)
		if err != nil {
			return err
		}
		bare.print()
		res, err := measure(ctx, stack, bin, filepath.Join(dir, r.name), "load-"+r.name, r.events, r.senders)
		if err != nil {
			return err
		}
		res.print(r.name, bare)
	}
	return nil
}
