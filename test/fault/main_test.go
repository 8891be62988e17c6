// Package fault is fresnel's fault suite (make fault): the real binary on
// the real local stack, with SCM APIs stood in by httptest servers, under
// kill -9, an apiserver outage, concurrent and repeated redeliveries, and
// slow or idle clients. Every scenario ends with one summary line and
// asserts that nothing acknowledged was lost and no run was made twice.
package fault

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

var (
	stack  *harness.Stack
	binary string
	// ownStack is true when the suite started the stack and stops it at
	// the end.
	ownStack bool
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	var err error
	if ownStack = !harness.StackRunning(ctx); ownStack {
		// Started here, so stopped here; a stack the developer started stays.
		defer func() {
			if err := harness.DownStack(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "fault: stack down:", err)
			}
		}()
	}
	if stack, err = harness.UpStack(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "fault: local stack:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "fresnel-fault-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if binary, err = harness.BuildFresnel(ctx, dir); err != nil {
		fmt.Fprintln(os.Stderr, "fault:", err)
		return 1
	}
	return m.Run()
}
