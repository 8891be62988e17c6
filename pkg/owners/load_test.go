package owners

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// countingReader serves files from a map, as an SCM's contents API would,
// and counts the reads.
type countingReader struct {
	mu    sync.Mutex
	files map[string]string
	reads []string
	fail  error // returned for every read when set
}

func (r *countingReader) ReadFile(_ context.Context, path string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads = append(r.reads, path)
	if r.fail != nil {
		return nil, r.fail
	}
	body, ok := r.files[path]
	if !ok {
		return nil, fmt.Errorf("contents %s: %w", path, ErrNotFound)
	}
	return []byte(body), nil
}

func (r *countingReader) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reads
	r.reads = nil
	return out
}

// dirReader reads a checked-out repository through the Reader interface.
type dirReader struct{ root string }

func (r dirReader) ReadFile(_ context.Context, path string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(path)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	return data, err
}

// bigChange is a 50-file pull request across a few directories of a tree
// with OWNERS files above and beside them.
func bigChange() (*countingReader, []string) {
	r := &countingReader{files: map[string]string{
		"OWNERS":                "approvers: [root-a, root-b]\n",
		"OWNERS_ALIASES":        "aliases:\n  core: [cora, cole]\n",
		"pkg/OWNERS":            "approvers: [core]\n",
		"pkg/api/OWNERS":        "options:\n  no_parent_owners: true\napprovers: [ann]\n",
		"pkg/store/OWNERS":      "approvers: [sid]\n",
		"docs/OWNERS":           "approvers: [dora]\n",
		"unrelated/OWNERS":      "approvers: [nobody]\n",
		"unrelated/deep/OWNERS": "approvers: [nobody]\n",
	}}
	var files []string
	for i := 0; i < 50; i++ {
		dir := []string{"pkg/api/v1", "pkg/store", "pkg/store/sql", "docs/guide", "cmd/tool"}[i%5]
		files = append(files, fmt.Sprintf("%s/file%02d.go", dir, i))
	}
	return r, files
}

func TestLoadReadsOnlyThePathsOfTheChange(t *testing.T) {
	r, files := bigChange()
	l := NewLoader(LoaderOptions{})
	ctx := context.Background()
	req := Request{Files: files, ApprovedBy: []string{"ann", "sid"}, Seed: 7}

	tree, err := l.Load(ctx, r, "0123abcd", files)
	if err != nil {
		t.Fatal(err)
	}
	first := r.take()
	want := []string{
		"OWNERS_ALIASES",
		"pkg/api/v1/OWNERS", "pkg/api/OWNERS", // no_parent_owners, with an approver: stop
		"pkg/store/OWNERS", "pkg/OWNERS", "OWNERS",
		"pkg/store/sql/OWNERS",
		"docs/guide/OWNERS", "docs/OWNERS",
		"cmd/tool/OWNERS", "cmd/OWNERS",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first /approve reads (-want +got):\n%s", diff)
	}
	d1, err := Decide(tree, req)
	if err != nil {
		t.Fatal(err)
	}

	tree, err = l.Load(ctx, r, "0123abcd", files)
	if err != nil {
		t.Fatal(err)
	}
	if again := r.take(); len(again) != 0 {
		t.Errorf("second /approve on the same commit read %v, want nothing", again)
	}
	d2, err := Decide(tree, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d1, d2); diff != "" {
		t.Errorf("decision changed between loads (-first +second):\n%s", diff)
	}
	t.Logf("%d files: %d reads, then 0; approved=%v unapproved=%v", len(files), len(first), d1.Approved, d1.UnapprovedFiles)
}

func TestLoadCache(t *testing.T) {
	ctx := context.Background()
	files := []string{"pkg/store/x.go"}
	tests := []struct {
		name    string
		commits []string // loaded in turn
		reads   []int    // reads of each load
	}{
		{name: "a new commit reads again", commits: []string{"a", "b"}, reads: []int{4, 4}},
		{name: "a remembered commit reads nothing", commits: []string{"a", "b", "a"}, reads: []int{4, 4, 0}},
		{name: "the least recently used is forgotten", commits: []string{"a", "b", "c", "a"}, reads: []int{4, 4, 4, 4}},
		{name: "using a commit keeps it", commits: []string{"a", "b", "a", "c", "a"}, reads: []int{4, 4, 0, 4, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := bigChange()
			l := NewLoader(LoaderOptions{CacheSize: 2})
			var got []int
			for _, c := range tc.commits {
				if _, err := l.Load(ctx, r, c, files); err != nil {
					t.Fatal(err)
				}
				got = append(got, len(r.take()))
			}
			if diff := cmp.Diff(tc.reads, got); diff != "" {
				t.Errorf("reads per load (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("a reader failure is returned and not remembered", func(t *testing.T) {
		r, files := bigChange()
		r.fail = errors.New("503 from the contents API")
		l := NewLoader(LoaderOptions{})
		if _, err := l.Load(ctx, r, "c1", files); err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("err = %v, want the reader's", err)
		}
		r.take()
		r.fail = nil
		if _, err := l.Load(ctx, r, "c1", files); err != nil {
			t.Fatal(err)
		}
		if n := len(r.take()); n == 0 {
			t.Error("after a failure the next load read nothing")
		}
	})
	t.Run("a malformed OWNERS file on the path, remembered", func(t *testing.T) {
		r, _ := bigChange()
		r.files["pkg/store/OWNERS"] = "approvers:\n  - [sid\n"
		l := NewLoader(LoaderOptions{})
		for i := 0; i < 2; i++ {
			_, err := l.Load(ctx, r, "c1", []string{"pkg/store/x.go"})
			var bad *MalformedError
			if !errors.As(err, &bad) || bad.Problems[0].String() != "pkg/store/OWNERS:2: did not find expected ',' or ']'" {
				t.Fatalf("load %d: err = %v, want pkg/store/OWNERS:2 malformed", i, err)
			}
		}
		if n := len(r.take()); n != 4 {
			t.Errorf("%d reads for two loads, want 4 (the second reads nothing)", n)
		}
	})
	t.Run("a malformed OWNERS file elsewhere is not read", func(t *testing.T) {
		r, _ := bigChange()
		r.files["unrelated/OWNERS"] = "approvers: [\n"
		if _, err := NewLoader(LoaderOptions{}).Load(ctx, r, "c1", []string{"docs/a.md"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("bad paths and no commit", func(t *testing.T) {
		r, _ := bigChange()
		l := NewLoader(LoaderOptions{})
		for _, files := range [][]string{{"/etc/passwd"}, {"../x"}, {"a//b"}, {""}} {
			if _, err := l.Load(ctx, r, "c1", files); err == nil {
				t.Errorf("Load(%q) succeeded", files)
			}
		}
		if _, err := l.Load(ctx, r, "", []string{"a"}); err == nil {
			t.Error("Load without a commit succeeded")
		}
	})
}

// TestLoadDecidesAsLoadDir: for every recorded oracle case, the tree read
// through a Reader gives the decision the whole tree gives.
func TestLoadDecidesAsLoadDir(t *testing.T) {
	for _, c := range oracleCases(t) {
		t.Run(c.name, func(t *testing.T) {
			root := "testdata/repos/" + c.repo
			full, err := LoadDir(root, DefaultDenylist())
			var bad *MalformedError
			if errors.As(err, &bad) {
				return // a malformed tree has no decision to compare
			} else if err != nil {
				t.Fatal(err)
			}
			partial, err := NewLoader(LoaderOptions{}).Load(context.Background(), dirReader{root}, "sha", c.req.Files)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Decide(full, c.req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decide(partial, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-LoadDir +Load):\n%s", diff)
			}
		})
	}
}

type namedRequest struct {
	name, repo string
	req        Request
}

// oracleCases reads testdata/oracle/cases.tsv as requests.
func oracleCases(t testing.TB) []namedRequest {
	t.Helper()
	f, err := os.Open("testdata/oracle/cases.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []namedRequest
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 6 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		seed, _ := strconv.ParseInt(fields[4], 10, 64)
		req := Request{Seed: seed, Author: strings.Trim(fields[2], "-")}
		if fields[3] != "-" {
			req.ApprovedBy = strings.Split(fields[3], ",")
		}
		if fields[5] != "-" {
			req.Files = strings.Split(fields[5], ",")
		}
		out = append(out, namedRequest{name: fields[0], repo: fields[1], req: req})
	}
	return out
}

// TestLoadConcurrently: /approve comments on one commit arriving together
// read each OWNERS file once and get the same tree (run with -race).
func TestLoadConcurrently(t *testing.T) {
	r, files := bigChange()
	l := NewLoader(LoaderOptions{})
	const n = 8
	decisions := make([]Decision, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tree, err := l.Load(context.Background(), r, "same", files)
			if err != nil {
				t.Error(err)
				return
			}
			decisions[i], _ = Decide(tree, Request{Files: files, ApprovedBy: []string{"ann"}, Seed: 3})
		}()
	}
	wg.Wait()
	if reads := len(r.take()); reads != 11 {
		t.Errorf("%d loads at once read %d files, want 11", n, reads)
	}
	for i := 1; i < n; i++ {
		if diff := cmp.Diff(decisions[0], decisions[i]); diff != "" {
			t.Errorf("decision %d differs:\n%s", i, diff)
		}
	}
}
