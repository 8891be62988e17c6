package harness

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// Suite is what a run on the local stack gets from WithStack.
type Suite struct {
	Stack *Stack
	// Binary is a fresnel built for this run.
	Binary string
	// Dir holds Binary; the run may keep its own files there. It is
	// removed at the end.
	Dir string
	// OwnStack is true when WithStack started the stack, and stops it at
	// the end; a stack the developer started stays up.
	OwnStack bool
}

// WithStack runs f on the local stack: it starts the stack unless one is
// running, builds fresnel into a temporary folder, calls f and cleans up.
// name prefixes the folder's name.
func WithStack(ctx context.Context, name string, f func(Suite) error) error {
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
		return fmt.Errorf("local stack: %w", err)
	}
	if s.Dir, err = os.MkdirTemp("", "fresnel-"+name+"-"); err != nil {
		return err
	}
	defer os.RemoveAll(s.Dir)
	if s.Binary, err = BuildFresnel(ctx, s.Dir); err != nil {
		return err
	}
	return f(s)
}

// RunSuite runs m's tests through WithStack, handing setup the Suite
// first, and returns their exit code. name prefixes what it prints.
func RunSuite(m *testing.M, name string, setup func(Suite)) int {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	code := 0
	err := WithStack(ctx, name, func(s Suite) error {
		setup(s)
		code = m.Run()
		return nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	return code
}
