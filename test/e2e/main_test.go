// Package e2e runs fresnel's binary against the real local stack: etcd,
// kube-apiserver, the Tekton controller and kwok, with SCM APIs stood in
// by httptest servers.
package e2e

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
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	var err error
	if !harness.StackRunning(ctx) {
		// Started here, so stopped here; a stack the developer started stays.
		defer func() {
			if err := harness.DownStack(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "e2e: stack down:", err)
			}
		}()
	}
	if stack, err = harness.UpStack(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: local stack:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "fresnel-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if binary, err = harness.BuildFresnel(ctx, dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}
