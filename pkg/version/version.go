// Package version holds the build's version and commit, set with -ldflags.
package version

import (
	"fmt"
	"runtime"
)

// Set at build time: -X github.com/fresnel-ci/fresnel/pkg/version.Version=...
var (
	Version = "dev"
	Commit  = "unknown"
)

// String is the one-line version report.
func String() string {
	return fmt.Sprintf("fresnel %s (commit %s, %s %s/%s)", Version, Commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
