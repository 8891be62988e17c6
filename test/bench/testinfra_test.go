package bench

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// testInfra is kubernetes/test-infra's job configuration, kept as a
// fixture: 602 files, about 4,700 presubmits and postsubmits.
var testInfra = filepath.Join("..", "..", "triggers", "testdata", "test-infra", "config")

func loadTestInfra(b *testing.B) *triggers.Config {
	b.Helper()
	cfg, err := triggers.Load(filepath.Join(testInfra, "prow", "config.yaml"), filepath.Join(testInfra, "jobs"))
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

var (
	k8sPR = event.Event{Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: event.Repo{FullName: "kubernetes/kubernetes"},
		Number: 2, BaseRef: "master", HeadSHA: "ec26c3e57ca3a959ca5aad62de7213c562f8c821"}
	k8sPRFiles = triggers.Inputs{ChangedFiles: func() ([]string, error) {
		return []string{"pkg/kubelet/kubelet.go", "test/e2e_node/foo_test.go"}, nil
	}}
)

func selectK8sPR(b *testing.B, cfg *triggers.Config) {
	b.Helper()
	sel, err := cfg.Select(k8sPR, k8sPRFiles)
	if err != nil || len(sel.Runs) != 14 {
		b.Fatalf("runs %d, err %v", len(sel.Runs), err)
	}
}

// BenchmarkTestInfraLoadAndSelect is what `fresnel explain` does for a
// pull request to kubernetes/kubernetes: load the whole configuration,
// every file parsed (nothing remembered from an earlier load), and
// select. It reports the time and the memory allocated per load, the heap
// the loaded configuration keeps and the peak heap of a load, from a
// collected heap.
func BenchmarkTestInfraLoadAndSelect(b *testing.B) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		triggers.ForgetReads()
		selectK8sPR(b, loadTestInfra(b))
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20)/float64(b.N), "MiB-alloc/op")
	triggers.ForgetReads()
	b.ReportMetric(retainedMiB(func() any { return loadTestInfra(b) }), "MiB-retained")
	triggers.ForgetReads()
	runtime.GC()
	b.ReportMetric(peakHeapMiB(func() { runtime.KeepAlive(loadTestInfra(b)) }), "MiB-peak-heap")
}

// BenchmarkTestInfraReload is a hot reload: the configuration is loaded
// again while the one in use stays in memory. Unchanged files are not
// parsed again and their jobs share what they decoded, so the peak heap
// stays near a first load's; the last figure is a reload in which every
// file changed (a copy of the fixture elsewhere), for comparison.
func BenchmarkTestInfraReload(b *testing.B) {
	triggers.ForgetReads()
	inUse := loadTestInfra(b)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		selectK8sPR(b, loadTestInfra(b))
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20)/float64(b.N), "MiB-alloc/op")
	runtime.GC()
	b.ReportMetric(peakHeapMiB(func() { runtime.KeepAlive(loadTestInfra(b)) }), "MiB-peak-heap-reload")
	other := copyTree(b, testInfra)
	runtime.GC()
	b.ReportMetric(peakHeapMiB(func() {
		cfg, err := triggers.Load(filepath.Join(other, "prow", "config.yaml"), filepath.Join(other, "jobs"))
		if err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(cfg)
	}), "MiB-peak-heap-all-changed")
	runtime.KeepAlive(inUse)
}

// copyTree copies a directory into a temporary one.
func copyTree(b *testing.B, from string) string {
	b.Helper()
	to := b.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(to, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	return to
}

// peakHeapMiB samples the heap's live and not yet collected objects while
// run runs and returns the largest figure. Reading runtime/metrics does
// not stop the world, so sampling every millisecond costs little.
func peakHeapMiB(run func()) float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				read()
			}
		}
	})
	run()
	close(done)
	wg.Wait()
	read()
	return float64(peak) / (1 << 20)
}
