// Package oracle compares fresnel's job selection with Prow's own, on
// cases whose answers Prow's trigger plugin recorded (see README.md).
package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/cli"
)

// run is what is compared of each job that runs.
type run struct {
	Job     string `json:"job"`
	Type    string `json:"type"`
	Context string `json:"context"`
}

// answer is the part of the oracle's and of explain's output compared.
type answer struct {
	Runs []run `json:"runs"`
}

// caseFile names the configuration and the event of a case.
type caseFile struct {
	Config string `json:"config"`
	Event  string `json:"event"`
}

func TestFresnelSelectsAsProw(t *testing.T) {
	dirs, err := filepath.Glob("cases/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 40 {
		t.Fatalf("%d cases, want at least 40", len(dirs))
	}
	agree := 0
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := readAnswer(t, filepath.Join(dir, "expected.json"))
			got := explain(t, dir)
			if diff := cmp.Diff(want.Runs, got.Runs); diff != "" {
				t.Errorf("runs differ from Prow's (-prow +fresnel):\n%s", diff)
				return
			}
			agree++
		})
	}
	t.Logf("fresnel agrees with Prow on %d of %d cases", agree, len(dirs))
}

// explain runs "fresnel explain" on a case as a user would.
func explain(t *testing.T, dir string) answer {
	t.Helper()
	var c caseFile
	readJSON(t, filepath.Join(dir, "case.json"), &c)
	args := []string{
		"--config", filepath.Join("configs", c.Config), "--provider", "github", "--event", c.Event,
		"--payload", filepath.Join(dir, "payload.json"), "--changed-files", filepath.Join(dir, "changed-files.txt"),
	}
	if pr := pullRequestOf(t, dir); pr != "" {
		args = append(args, "--pull-request", pr)
	}
	var stdout, stderr bytes.Buffer
	if err := cli.Explain(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("explain: %v\n%s", err, stderr.String())
	}
	var got answer
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("explain output: %v\n%s", err, stdout.String())
	}
	sortRuns(got.Runs)
	return got
}

// pullRequestOf writes the pull request a comment case carries (the
// oracle reads it from the payload's top-level "pull_request") to a file
// for --pull-request; "" when the case is no comment.
func pullRequestOf(t *testing.T, dir string) string {
	t.Helper()
	var payload struct {
		Comment     json.RawMessage `json:"comment"`
		PullRequest json.RawMessage `json:"pull_request"`
	}
	readJSON(t, filepath.Join(dir, "payload.json"), &payload)
	if payload.Comment == nil || payload.PullRequest == nil {
		return ""
	}
	path := filepath.Join(t.TempDir(), "pull-request.json")
	if err := os.WriteFile(path, payload.PullRequest, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readAnswer(t *testing.T, path string) answer {
	t.Helper()
	var a answer
	readJSON(t, path, &a)
	if a.Runs == nil {
		a.Runs = []run{}
	}
	sortRuns(a.Runs)
	return a
}

func readJSON(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sortRuns(runs []run) {
	sort.Slice(runs, func(a, b int) bool {
		if runs[a].Job != runs[b].Job {
			return runs[a].Job < runs[b].Job
		}
		return runs[a].Type < runs[b].Type
	})
}
