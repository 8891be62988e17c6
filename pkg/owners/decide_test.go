package owners

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecide(t *testing.T) {
	tree := loadFixture(t, "wide")
	files := []string{"storage/a.go", "net/dns/d.go"}
	tests := []struct {
		name       string
		req        Request
		approved   bool
		unapproved []string
		suggested  []string
	}{
		{
			name:       "nobody yet",
			req:        Request{Files: files, Seed: 5},
			unapproved: []string{"net/dns/OWNERS", "storage/OWNERS"},
			suggested:  []string{"ursula", "wes"}, // as Prow's code suggests for seed 5
		},
		{
			name:       "an approver of each directory",
			req:        Request{Files: files, ApprovedBy: []string{"XENA", "Zoe"}, Seed: 5},
			approved:   true,
			unapproved: []string{},
		},
		{
			name:       "the author approves implicitly",
			req:        Request{Files: files, Author: "wes", ApprovedBy: []string{"sam"}, Seed: 5},
			approved:   true,
			unapproved: []string{},
		},
		{
			name:       "require_self_approval: the author is suggested instead",
			req:        Request{Files: files, Author: "wes", ApprovedBy: []string{"sam"}, RequireSelfApproval: true, Seed: 5},
			unapproved: []string{"net/dns/OWNERS"},
			suggested:  []string{"wes"},
		},
		{
			name:       "require_self_approval and the author's own /approve",
			req:        Request{Files: files, Author: "wes", ApprovedBy: []string{"sam", "wes"}, RequireSelfApproval: true, Seed: 5},
			approved:   true,
			unapproved: []string{},
		},
		{
			name:       "an assignee who can approve is suggested",
			req:        Request{Files: files, ApprovedBy: []string{"sam"}, Assignees: []string{"ABE"}, Seed: 5},
			unapproved: []string{"net/dns/OWNERS"},
			suggested:  []string{"abe"},
		},
		{
			name:       "a root approver approves all but a no_parent_owners directory",
			req:        Request{Files: files, ApprovedBy: []string{"lead-one"}, Seed: 5},
			unapproved: []string{"net/dns/OWNERS"},
			suggested:  []string{"wes"}, // as Prow's code suggests for seed 5
		},
		{
			name:       "no files: not approved",
			req:        Request{ApprovedBy: []string{"lead-one"}},
			unapproved: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Decide(tree, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			got := []any{d.Approved, d.UnapprovedFiles, d.SuggestedApprovers}
			want := []any{tc.approved, tc.unapproved, orEmpty(tc.suggested)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("approved, unapproved, suggested (-want +got):\n%s", diff)
			}
			if len(d.Approvers) != len(tc.req.Files) {
				t.Errorf("approvers listed for %d files, want %d", len(d.Approvers), len(tc.req.Files))
			}
		})
	}
}

// TestSuggestionsFollowTheSeed: the seed changes whom Prow suggests, and
// the same seed always suggests the same people.
func TestSuggestionsFollowTheSeed(t *testing.T) {
	tree := loadFixture(t, "wide")
	files := []string{"storage/a.go", "storage/csi/b.go", "net/c.go", "net/dns/d.go", "cli/e.go", "cli/cmd/f.go", "ui/g.ts", "ui/h.css"}
	seen := map[string]bool{}
	for seed := int64(1); seed <= 20; seed++ {
		first, err := Decide(tree, Request{Files: files, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Decide(tree, Request{Files: files, Seed: seed})
		if diff := cmp.Diff(first.SuggestedApprovers, again.SuggestedApprovers); diff != "" {
			t.Fatalf("seed %d: suggestions differ between runs:\n%s", seed, diff)
		}
		seen[strconv.Quote(first.SuggestedApprovers[0])+strconv.Itoa(len(first.SuggestedApprovers))] = true
	}
	if len(seen) < 2 {
		t.Errorf("20 seeds gave the same suggestions: %v", seen)
	}
}

func TestDecideRefusesBadInput(t *testing.T) {
	if _, err := Decide(nil, Request{Files: []string{"a"}}); err == nil {
		t.Error("Decide without a tree succeeded")
	}
	if _, err := NewLoader(LoaderOptions{}).Load(context.Background(), nil, "sha", []string{"a"}); err == nil {
		t.Error("Load without a reader succeeded")
	}
	tree := loadFixture(t, "wide")
	for _, f := range []string{"", "/abs", "../up", "a/../b", "./a", "a/", "."} {
		if _, err := Decide(tree, Request{Files: []string{f}}); err == nil {
			t.Errorf("Decide accepted %q", f)
		}
	}
}

// BenchmarkApprove measures a cold /approve (a new commit) and a warm one
// (the same commit again) on a 50-file change; it reports reads per
// decision.
func BenchmarkApprove(b *testing.B) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			r, files := bigChange()
			l := NewLoader(LoaderOptions{})
			ctx := context.Background()
			req := Request{Files: files, ApprovedBy: []string{"ann"}, Seed: 42}
			if _, err := l.Load(ctx, r, "warm", files); err != nil {
				b.Fatal(err)
			}
			r.take()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				commit := "warm"
				if !warm {
					commit = "cold-" + strconv.Itoa(i)
				}
				tree, err := l.Load(ctx, r, commit, files)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Decide(tree, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.take()))/float64(b.N), "reads/decision")
		})
	}
}
