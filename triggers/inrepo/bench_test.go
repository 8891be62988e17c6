package inrepo_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

// BenchmarkLoadCached is what an event on a commit read before costs:
// a cache hit and the merge with the central jobs.
func BenchmarkLoadCached(b *testing.B) {
	api := newContentsAPI(b, os.DirFS("testdata/lighthouse"), repo, sha)
	loader := inrepo.NewLoader(inrepo.DefaultCacheSize)
	files := api.provider(b)
	commit := inrepo.Commit{Instance: "github/public", Repo: repo, SHA: sha}
	if _, err := loader.Load(b.Context(), files, commit); err != nil {
		b.Fatal(err)
	}
	central := centralJobs(b, 10)
	b.ReportAllocs()
	for b.Loop() {
		local, _ := loader.Load(b.Context(), files, commit)
		if _, err := inrepo.Merge(central, local, repo); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCold is a first read of a Lighthouse repository (six
// contents API calls to a loopback server).
func BenchmarkLoadCold(b *testing.B) {
	api := newContentsAPI(b, os.DirFS("testdata/lighthouse"), repo, sha)
	files := api.provider(b)
	commit := inrepo.Commit{Instance: "github/public", Repo: repo, SHA: sha}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inrepo.NewLoader(1).Load(b.Context(), files, commit); err != nil {
			b.Fatal(err)
		}
	}
}

// centralJobs is a central configuration with n presubmits for repo.
func centralJobs(b *testing.B, n int) *triggers.Config {
	var doc strings.Builder
	doc.WriteString("presubmits:\n  " + repo + ":\n")
	for i := range n {
		fmt.Fprintf(&doc, "  - name: central-%d\n    always_run: true\n    spec: {containers: [{image: busybox, command: [\"true\"]}]}\n", i)
	}
	cfg, err := triggers.Parse([]byte(doc.String()), "config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}
