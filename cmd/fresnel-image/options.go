package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// options is what one image build needs.
type options struct {
	// Pkg is the Go package of the binary, e.g. ./cmd/fresnel.
	Pkg string
	// Platforms are built in this order; the index lists them so.
	Platforms []v1.Platform
	// Version and Commit go into the binary (ldflags) and the OCI labels.
	Version string
	Commit  string
	// Source is the repository URL for the org.opencontainers.image.source label.
	Source string
	// Epoch is every timestamp in the image: file times, created, history.
	Epoch time.Time
	// Ref names the image in the layout, the docker archives and a push.
	Ref name.Tag
	// Out is the output folder; build replaces what it writes there.
	Out string
	// Push sends the index to Ref after the build.
	Push bool
}

const defaultRepository = "ghcr.io/fresnel-ci/fresnel"

// parseFlags reads the command line; epochEnv is $SOURCE_DATE_EPOCH.
func parseFlags(args []string, epochEnv string) (options, error) {
	fs := flag.NewFlagSet("fresnel-image", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts options
	var platforms, repo, tag, epoch string
	fs.StringVar(&opts.Pkg, "pkg", "./cmd/fresnel", "Go package to build")
	fs.StringVar(&platforms, "platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list")
	fs.StringVar(&opts.Version, "version", "dev", "version for the binary and the labels")
	fs.StringVar(&opts.Commit, "commit", "unknown", "commit for the binary and the labels")
	fs.StringVar(&opts.Source, "source", "https://github.com/fresnel-ci/fresnel", "source repository URL label")
	fs.StringVar(&repo, "image", defaultRepository, "image repository, or repository:tag")
	fs.StringVar(&tag, "tag", "", "tag (default: the version without a leading v)")
	fs.StringVar(&epoch, "epoch", epochEnv, "Unix seconds for every timestamp (default $SOURCE_DATE_EPOCH, else 0)")
	fs.StringVar(&opts.Out, "out", "bin/image", "output folder")
	fs.BoolVar(&opts.Push, "push", false, "push the index to the image reference (credentials from the docker config)")
	if err := fs.Parse(args); err != nil {
		return options{}, fmt.Errorf("flags: %w", err)
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("flags: unexpected argument %q", fs.Arg(0))
	}
	return finishOptions(opts, platforms, repo, tag, epoch)
}

// finishOptions turns the flag strings into typed options.
func finishOptions(opts options, platforms, repo, tag, epoch string) (options, error) {
	var err error
	if opts.Platforms, err = parsePlatforms(platforms); err != nil {
		return options{}, err
	}
	if opts.Epoch, err = parseEpoch(epoch); err != nil {
		return options{}, err
	}
	if opts.Ref, err = imageRef(repo, tag, opts.Version); err != nil {
		return options{}, err
	}
	if opts.Pkg == "" || opts.Out == "" {
		return options{}, fmt.Errorf("flags: -pkg and -out must not be empty")
	}
	return opts, nil
}

// parsePlatforms reads "linux/amd64,linux/arm64"; only linux is accepted,
// since the image has no other OS's files.
func parsePlatforms(s string) ([]v1.Platform, error) {
	var out []v1.Platform
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		p, err := v1.ParsePlatform(item)
		if err != nil || p.OS != "linux" || p.Architecture == "" || strings.Count(item, "/") != 1 {
			return nil, fmt.Errorf("platforms: %q is not linux/ARCH", item)
		}
		if seen[item] {
			return nil, fmt.Errorf("platforms: %q listed twice", item)
		}
		seen[item] = true
		out = append(out, *p)
	}
	return out, nil
}

// parseEpoch reads SOURCE_DATE_EPOCH-style Unix seconds; empty means 0.
func parseEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 || sec > 1<<33 {
		return time.Time{}, fmt.Errorf("epoch: %q is not Unix seconds", s)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// imageRef names the image: repo may carry its own tag; else tag, else the
// version without a leading "v" (release v1.2.3 is published as :1.2.3, the
// chart's appVersion).
func imageRef(repo, tag, version string) (name.Tag, error) {
	if tag == "" {
		if t, err := name.NewTag(repo, name.StrictValidation); err == nil {
			return t, nil
		}
		tag = strings.TrimPrefix(version, "v")
	}
	t, err := name.NewTag(repo+":"+tag, name.StrictValidation)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image: %q with tag %q: %w", repo, tag, err)
	}
	return t, nil
}
