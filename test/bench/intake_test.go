// Package bench holds the per-event benchmarks: verify, parse and select
// for a delivery, without the network or the cluster.
package bench

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/github"
	"github.com/fresnel-ci/fresnel/test/harness"
	"github.com/fresnel-ci/fresnel/triggers"
)

var secret = []byte("bench-secret")

// benchConfig has 1,000 repos with 10 jobs each; the event's repo is one of them.
func benchConfig(b *testing.B) *triggers.Config {
	b.Helper()
	var buf bytes.Buffer
	buf.WriteString("presubmits:\n")
	for r := range 1000 {
		fmt.Fprintf(&buf, "  org/repo-%d:\n", r)
		for j := range 10 {
			fmt.Fprintf(&buf, "  - name: job-%d\n    always_run: %v\n    run_if_changed: '^dir-%d/'\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n", j, j%2 == 0, j)
		}
	}
	cfg, err := triggers.Parse(buf.Bytes(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

func BenchmarkGitHubPullRequestVerifyParseSelect(b *testing.B) {
	p, err := github.New(github.Options{Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	cfg := benchConfig(b)
	body := harness.GitHubPullRequestEvent("opened", "org/repo-500", 7, "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c", "main")
	header := harness.GitHubHeader("pull_request", "bench", secret, body)
	files := triggers.Inputs{ChangedFiles: func() ([]string, error) { return []string{"dir-3/a.go", "README.md"}, nil }}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/hook/github/x", bytes.NewReader(body))
		r.Header = header
		if err := p.Verify(r.Context(), r, body); err != nil {
			b.Fatal(err)
		}
		ev, err := p.Parse(r.Context(), r, body)
		if err != nil {
			b.Fatal(err)
		}
		sel, err := cfg.Select(ev, files)
		if err != nil || len(sel.Runs) != 6 {
			b.Fatalf("selected %d runs, err %v", len(sel.Runs), err)
		}
	}
}
