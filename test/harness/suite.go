package harness

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// Suite is what a test package on the local stack gets from RunSuite.
type Suite struct {
	Stack *Stack
	// Binary is a fresnel built for this run.
	Binary string
	// OwnStack is true when RunSuite started the stack, and stops it at
	// the end; a stack the developer started stays up.
	OwnStack bool
}

// RunSuite runs m's tests on the local stack: it starts the stack unless
// one is running, builds fresnel, hands both to setup, runs the tests and
// returns their exit code. name prefixes what it prints.
func RunSuite(m *testing.M, name string, setup func(Suite)) int {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	var s Suite
	if s.OwnStack = !StackRunning(ctx); s.OwnStack {
		defer func() {
			if err := DownStack(context.Background()); err != nil {
				fmt.Fprintf(os.Stderr, "%s: stack down: %v\n", name, err)
			}
		}()
	}
	var err error
	if s.Stack, err = UpStack(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "%s: local stack: %v\n", name, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "fresnel-"+name+"-bin")
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if s.Binary, err = BuildFresnel(ctx, dir); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	setup(s)
	return m.Run()
}
