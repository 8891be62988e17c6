// Command fresnel-image builds the fresnel container image without a
// container daemon: it cross-compiles fresnel for each platform, lays the
// binary, a CA bundle and an /etc/passwd entry for a non-root user into
// layers with fixed timestamps and owners, and writes a multi-arch OCI image
// index as an OCI layout, an OCI archive and one docker archive per platform.
// The same commit and SOURCE_DATE_EPOCH give the same index digest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fresnel-image:", err)
		os.Exit(1)
	}
}

// run parses the flags, builds the image and reports where it went.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	opts, err := parseFlags(args, os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	res, err := build(ctx, opts)
	if err != nil {
		return err
	}
	report(stdout, opts, res)
	if opts.Push {
		return push(ctx, opts, res)
	}
	return nil
}
