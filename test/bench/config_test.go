package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// writeBigConfig writes 10,000 jobs over 1,000 repos as a Prow
// job-config directory: one file per repo, as large installs keep them.
func writeBigConfig(b *testing.B) (string, string) {
	b.Helper()
	dir := b.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("tide: {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	jobs := filepath.Join(dir, "jobs")
	for r := range 1000 {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "presubmits:\n  org/repo-%d:\n", r)
		for j := range 8 {
			fmt.Fprintf(&buf, "  - name: job-%d\n    always_run: %v\n    run_if_changed: '^dir-%d/'\n    branches: ['^main$']\n    tekton_pipeline_run_spec:\n      v1: {pipelineRef: {name: build}}\n", j, j%2 == 0, j)
		}
		fmt.Fprintf(&buf, "postsubmits:\n  org/repo-%d:\n", r)
		for j := range 2 {
			fmt.Fprintf(&buf, "  - name: post-%d\n    branches: ['^main$']\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n", j)
		}
		path := filepath.Join(jobs, fmt.Sprintf("org/repo-%d.yaml", r))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return config, jobs
}

// BenchmarkLoad10kJobs loads 10,000 jobs over 1,000 repos, every file
// parsed (nothing remembered from the load before), and reports the heap
// one loaded configuration keeps.
func BenchmarkLoad10kJobs(b *testing.B) {
	config, jobs := writeBigConfig(b)
	for b.Loop() {
		triggers.ForgetReads()
		if _, err := triggers.Load(config, jobs); err != nil {
			b.Fatal(err)
		}
	}
	triggers.ForgetReads()
	b.ReportMetric(retainedMiB(func() any {
		cfg, _ := triggers.Load(config, jobs)
		return cfg
	}), "MiB-retained")
}

// retainedMiB is the heap that what build returns keeps alive.
func retainedMiB(build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
}

// BenchmarkSelect10kJobs selects for a pull request in a configuration of
// 10,000 jobs: jobs are indexed by repo, so the size does not matter.
func BenchmarkSelect10kJobs(b *testing.B) {
	config, jobs := writeBigConfig(b)
	cfg, err := triggers.Load(config, jobs)
	if err != nil {
		b.Fatal(err)
	}
	ev := event.Event{Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: event.Repo{FullName: "org/repo-777"}, Number: 1, BaseRef: "main", HeadSHA: "abc"}
	in := triggers.Inputs{ChangedFiles: func() ([]string, error) { return []string{"dir-3/a.go", "README.md"}, nil }}
	b.ReportAllocs()
	for b.Loop() {
		sel, err := cfg.Select(ev, in)
		if err != nil || len(sel.Runs) != 5 {
			b.Fatalf("runs %d, err %v", len(sel.Runs), err)
		}
	}
}
