// Package e2e runs fresnel's binary against the real local stack: etcd,
// kube-apiserver, the Tekton controller and kwok, with SCM APIs stood in
// by httptest servers.
package e2e

import (
	"os"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

var (
	stack  *harness.Stack
	binary string
)

func TestMain(m *testing.M) {
	os.Exit(harness.RunSuite(m, "e2e", func(s harness.Suite) { stack, binary = s.Stack, s.Binary }))
}
