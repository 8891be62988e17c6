package owners

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadFixture(t testing.TB, name string) *Tree {
	t.Helper()
	tree, err := LoadDir("testdata/repos/"+name, DefaultDenylist())
	if err != nil {
		t.Fatalf("LoadDir %s: %v", name, err)
	}
	return tree
}

// TestTreeQueries follows the rules of Prow's OWNERS docs on a tree
// written after their examples (testdata/repos/kubelike).
func TestTreeQueries(t *testing.T) {
	tree := loadFixture(t, "kubelike")
	root := []string{"alice", "bob", "root-admin"}
	tests := []struct {
		file      string
		owners    string // directory of the approvers' OWNERS file
		approvers []string
		leaf      []string
		reviewers []string
		labels    []string
	}{
		{file: "README.md", owners: "", approvers: root, leaf: root, reviewers: []string{"erin"}, labels: []string{"kind/root"}},
		{file: "docs/a.md", owners: "docs", approvers: []string{"alice", "bob", "frank", "root-admin"}, leaf: []string{"frank"},
			reviewers: []string{"erin", "grace"}, labels: []string{"area/docs", "kind/root"}},
		// an alias that names nobody names no approver: the parent's count
		{file: "docs/empty/x.md", owners: "docs", approvers: []string{"alice", "bob", "frank", "root-admin"}, leaf: []string{"frank"},
			reviewers: []string{"erin", "grace"}, labels: []string{"area/docs", "kind/root"}},
		// no_parent_owners: the root's approvers are cut off
		// (each list is walked on its own: api/ has no labels, so the
		// root's apply)
		{file: "api/types.go", owners: "api", approvers: []string{"carol", "dave"}, leaf: []string{"carol", "dave"},
			reviewers: []string{"carol", "dave"}, labels: []string{"kind/root"}},
		{file: "api/v1/types.go", owners: "api/v1", approvers: []string{"carol", "dave", "heidi"}, leaf: []string{"heidi"},
			reviewers: []string{"carol", "dave"}, labels: []string{"kind/root"}},
		// filters: .* and \.go$ both match a Go file
		{file: "pkg/a.go", owners: "pkg", approvers: []string{"alice", "bob", "ivan", "judy", "root-admin"}, leaf: []string{"ivan", "judy"},
			reviewers: []string{"erin"}, labels: []string{"kind/root", "lang/go"}},
		// filters match the path below the OWNERS file's directory
		{file: "pkg/README.md", owners: "pkg", approvers: []string{"alice", "bob", "ivan", "mallory", "root-admin"}, leaf: []string{"ivan", "mallory"},
			reviewers: []string{"erin"}, labels: []string{"kind/root"}},
		{file: "pkg/sub/README.md", owners: "pkg", approvers: []string{"alice", "bob", "ivan", "root-admin"}, leaf: []string{"ivan"},
			reviewers: []string{"erin"}, labels: []string{"kind/root"}},
		// an OWNERS file with reviewers only adds no approvers
		{file: "pkg/sub/deep/x.go", owners: "pkg", approvers: []string{"alice", "bob", "ivan", "judy", "root-admin"}, leaf: []string{"ivan", "judy"},
			reviewers: []string{"erin", "niaj"}, labels: []string{"kind/root", "lang/go"}},
		// vendor/*/* is on Prow's preconfigured denylist
		{file: "vendor/foo/bar/x.go", owners: "", approvers: root, leaf: root, reviewers: []string{"erin"}, labels: []string{"kind/root"}},
		// no_parent_owners with no approvers of its own stops nothing...
		{file: "hack/verify.sh", owners: "", approvers: root, leaf: root, reviewers: []string{"erin"}, labels: []string{"kind/root"}},
		// ...but stops the walk once a child named someone
		// (reviewers: hack/tools names none, so the walk goes on to the root)
		{file: "hack/tools/gen.sh", owners: "hack/tools", approvers: []string{"peggy"}, leaf: []string{"peggy"},
			reviewers: []string{"erin"}, labels: []string{"kind/root"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := map[string]any{
				"owners": tree.ApproverOwners(tc.file), "approvers": tree.Approvers(tc.file), "leaf": tree.LeafApprovers(tc.file),
				"reviewers": tree.Reviewers(tc.file), "labels": tree.Labels(tc.file),
			}
			want := map[string]any{
				"owners": tc.owners, "approvers": tc.approvers, "leaf": tc.leaf,
				"reviewers": orEmpty(tc.reviewers), "labels": orEmpty(tc.labels),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestTreeOptions(t *testing.T) {
	tree := loadFixture(t, "kubelike")
	tests := []struct {
		dir                   string
		noParent, autoUnowned bool
	}{
		{dir: ""},
		{dir: "api", noParent: true},
		{dir: "hack", noParent: true},
		{dir: "third_party", autoUnowned: true},
		{dir: "third_party/owned"},
		{dir: "no/such/dir"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			if got := tree.NoParentOwners(tc.dir); got != tc.noParent {
				t.Errorf("NoParentOwners = %v, want %v", got, tc.noParent)
			}
			if got := tree.AutoApproveUnownedSubfolders(tc.dir); got != tc.autoUnowned {
				t.Errorf("AutoApproveUnownedSubfolders = %v, want %v", got, tc.autoUnowned)
			}
		})
	}
}

func TestLoadDirDenylist(t *testing.T) {
	tests := []struct {
		name      string
		patterns  []string
		noDefault bool
		want      []string
	}{
		{name: "preconfigured", want: []string{"", "api", "api/v1", "docs", "docs/empty", "hack", "hack/tools", "pkg", "pkg/sub/deep", "third_party", "third_party/owned"}},
		{name: "no defaults", noDefault: true, want: []string{"", "api", "api/v1", "docs", "docs/empty", "hack", "hack/tools", "pkg", "pkg/sub/deep", "third_party", "third_party/owned", "vendor/foo/bar"}},
		{name: "a directory and all below it", patterns: []string{"^api$", "^third_party$"}, want: []string{"", "docs", "docs/empty", "hack", "hack/tools", "pkg", "pkg/sub/deep"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deny, err := NewDenylist(tc.patterns, tc.noDefault)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := LoadDir("testdata/repos/kubelike", deny)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, tree.Dirs()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := NewDenylist([]string{"(["}, false); err == nil {
		t.Error("a denylist regexp that does not compile is accepted")
	}
}
