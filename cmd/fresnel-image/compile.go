package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const versionPkg = "github.com/fresnel-ci/fresnel/pkg/version"

// compile cross-compiles opts.Pkg for one platform into dir and returns the
// binary: static (no cgo), with paths trimmed and the version stamped, as
// the Makefile's build target does, and stripped of symbol tables.
func compile(ctx context.Context, opts options, p v1.Platform, dir string) ([]byte, error) {
	out := filepath.Join(dir, "fresnel-"+p.OS+"-"+p.Architecture)
	ldflags := fmt.Sprintf("-s -w -X %s.Version=%s -X %s.Commit=%s", versionPkg, opts.Version, versionPkg, opts.Commit)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, opts.Pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Architecture, "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("compile %s: %w: %s", p, err, tail(stderr.Bytes(), 2000))
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", p, err)
	}
	return bin, nil
}

// tail is the end of a compiler's output, enough to show the first problem
// without flooding the terminal.
func tail(b []byte, n int) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = append([]byte("..."), b[len(b)-n:]...)
	}
	return b
}
