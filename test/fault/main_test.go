// Package fault is fresnel's fault suite (make fault): the real binary on
// the real local stack, with SCM APIs stood in by httptest servers, under
// kill -9, an apiserver outage, concurrent and repeated redeliveries, and
// slow or idle clients. Every scenario ends with one summary line and
// asserts that nothing acknowledged was lost and no run was made twice.
package fault

import (
	"os"
	"testing"

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
	os.Exit(harness.RunSuite(m, "fault", func(s harness.Suite) {
		stack, binary, ownStack = s.Stack, s.Binary, s.OwnStack
	}))
}
