package owners

import (
	"path"
	"strings"
)

// change is a list of changed files under one Tree, with what the
// decision needs about each worked out once.
type change struct {
	tree   *Tree
	files  []string
	owner  map[string]string // file -> directory of its approvers' OWNERS file
	all    map[string]set    // file -> everyone who may approve it
	leaf   map[string]set    // file -> its nearest approvers
	needed set               // OWNERS directories that must approve
}

func newChange(tree *Tree, files []string) *change {
	c := &change{tree: tree, files: files, owner: map[string]string{}, all: map[string]set{}, leaf: map[string]set{}}
	for _, f := range files {
		c.owner[f] = tree.ApproverOwners(f)
		c.all[f] = tree.approvers(f, false)
		c.leaf[f] = tree.approvers(f, true)
	}
	c.needed = c.neededDirs()
	return c
}

// neededDirs are the OWNERS directories whose approval the change needs:
// each file's, except a file two or more levels below an OWNERS file with
// auto_approve_unowned_subfolders, and except a directory whose parent's
// approvers already cover it (unless no_parent_owners cuts it off).
func (c *change) neededDirs() set {
	dirs := set{}
	for _, f := range c.files {
		o := c.owner[f]
		// Prow tests this by substring, so a root OWNERS file with the
		// option approves every file; kept as Prow decides.
		if strings.Contains(path.Dir(path.Dir(f)), o) && c.tree.AutoApproveUnownedSubfolders(o) {
			continue
		}
		dirs.add(o)
	}
	for _, dir := range dirs.sorted() {
		if c.coveredByParent(dir, dirs) {
			delete(dirs, dir)
		}
	}
	return dirs
}

// coveredByParent says whether a parent of dir is in dirs with no
// no_parent_owners between them.
func (c *change) coveredByParent(dir string, dirs set) bool {
	for p := dir; p != "" && !c.tree.NoParentOwners(p); {
		p = parentDir(p)
		if dirs.has(p) {
			return true
		}
	}
	return false
}

// unapproved are the needed OWNERS directories with a file that none of
// approvers may approve.
func (c *change) unapproved(approvers set) set {
	out := set{}
	for _, f := range c.files {
		o := c.owner[f]
		if c.needed.has(o) && !c.all[f].intersects(approvers) {
			out.add(o)
		}
	}
	return out
}

// approved says whether approvers approve the whole change; a change of
// no files is not approved.
func (c *change) approved(approvers set) bool {
	return len(c.files) > 0 && len(c.unapproved(approvers)) == 0
}

// approversByDir maps each needed OWNERS directory to the approvers of
// its files: the nearest layer only when leafOnly.
func (c *change) approversByDir(leafOnly bool) map[string]set {
	m := map[string]set{}
	for _, f := range c.files {
		o := c.owner[f]
		if !c.needed.has(o) {
			continue
		}
		if m[o] == nil {
			m[o] = set{}
		}
		if leafOnly {
			m[o].addAll(c.leaf[f])
		} else {
			m[o].addAll(c.all[f])
		}
	}
	return m
}
