// Command finished measures the controller with many finished runs in the
// cluster: its RSS once warm (its ledger holds the settled runs), and the time from a new
// run finishing to its final status reaching the SCM. The runs are made
// on loopback by a bounded pool, created pending (Tekton leaves them
// alone) and marked finished through the status subresource.
//
//	go run ./test/bench/finished [-runs 50000] [-reports 300] [-workers 32]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

func main() {
	runs := flag.Int("runs", 50000, "finished runs made before the controller starts")
	reports := flag.Int("reports", 300, "runs finished one by one while it runs, whose reports are timed")
	workers := flag.Int("workers", 32, "concurrent API clients making the runs")
	fillFor := flag.Duration("fill-for", 30*time.Minute, "stop making runs after this long and measure with those made")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := measureAll(ctx, *runs, *reports, *workers, *fillFor)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "finished:", err)
		os.Exit(1)
	}
}

func measureAll(ctx context.Context, runs, reports, workers int, fillFor time.Duration) error {
	return harness.WithStack(ctx, "finished", func(s harness.Suite) error {
		return measureOn(ctx, s.Stack, s.Binary, s.Dir, runs, reports, workers, fillFor)
	})
}

func measureOn(ctx context.Context, stack *harness.Stack, bin, dir string, runs, reports, workers int, fillFor time.Duration) error {
	ns := fmt.Sprintf("bench-finished-%d", time.Now().Unix())
	if err := stack.Namespace(ctx, ns); err != nil {
		return err
	}
	defer cleanup(stack, ns)
	b := &bench{stack: stack, ns: ns, workers: workers}
	start := time.Now()
	made, err := b.fill(ctx, runs, fillFor)
	fmt.Printf("made %d finished runs in %s (%.0f/s)\n", made, time.Since(start).Round(time.Second), float64(made)/time.Since(start).Seconds())
	if err != nil {
		return err
	}
	repaired, err := b.repair(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("finished again %d runs whose status Tekton's pending mark had overwritten\n", repaired)
	res, err := b.measure(ctx, bin, dir, reports, made)
	if err != nil {
		return err
	}
	res.print(made)
	return nil
}
