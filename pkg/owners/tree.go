// Package owners reads OWNERS and OWNERS_ALIASES files and decides, as
// Prow's approve plugin does, whether a change is approved, which OWNERS
// files still need an approver, and whom to ask.
//
// A Tree is loaded either from a checked-out repository (LoadDir, which
// reads every OWNERS file) or through a Reader (Loader.Load, which reads
// only the OWNERS files on the paths of the changed files and caches them
// by commit). Decide takes a Tree and a Request and returns a Decision.
package owners

import (
	"path"
	"strings"
)

// Tree is the OWNERS files of one commit of a repository, keyed by
// directory ("" is the root). A Tree made by Loader.Load holds only the
// directories its changed files needed and answers only for those files.
type Tree struct {
	dirs map[string]*dirConfig
	// Warnings are what fresnel, like Prow, passes over in the OWNERS
	// files read: unknown keys, ignored filters, lists of the wrong type.
	Warnings []Problem
}

// Dirs lists the directories that have an OWNERS file, in order.
func (t *Tree) Dirs() []string {
	return sortedKeys(t.dirs)
}

// ApproverOwners is the directory of the nearest OWNERS file that names
// an approver of file ("" for the root, or when none does). As in Prow,
// no_parent_owners does not stop this search.
func (t *Tree) ApproverOwners(file string) string {
	for d := file; d != ""; d = parentDir(d) {
		rel := relativeTo(d, file)
		for _, r := range t.rulesOf(d) {
			if r.matches(rel) && len(r.approvers) > 0 {
				return d
			}
		}
	}
	return ""
}

// Approvers lists everyone who may approve file: the approvers of its
// directory and of every parent, up to the root or to an OWNERS file with
// no_parent_owners.
func (t *Tree) Approvers(file string) []string {
	return t.approvers(file, false).sorted()
}

// LeafApprovers lists the approvers of the nearest OWNERS file that names
// any for file.
func (t *Tree) LeafApprovers(file string) []string {
	return t.approvers(file, true).sorted()
}

// Reviewers lists the reviewers of file, gathered as Approvers gathers
// approvers.
func (t *Tree) Reviewers(file string) []string {
	return t.entries(file, func(r rule) set { return r.reviewers }, false).sorted()
}

// Labels lists the labels the OWNERS files above file give it.
func (t *Tree) Labels(file string) []string {
	return t.entries(file, func(r rule) set { return r.labels }, false).sorted()
}

// NoParentOwners says whether dir's OWNERS file has no_parent_owners.
func (t *Tree) NoParentOwners(dir string) bool {
	c := t.dirs[dir]
	return c != nil && c.options.NoParentOwners
}

// AutoApproveUnownedSubfolders says whether dir's OWNERS file has
// auto_approve_unowned_subfolders.
func (t *Tree) AutoApproveUnownedSubfolders(dir string) bool {
	c := t.dirs[dir]
	return c != nil && c.options.AutoApproveUnownedSubfolders
}

func (t *Tree) approvers(file string, leafOnly bool) set {
	return t.entries(file, func(r rule) set { return r.approvers }, leafOnly)
}

// entries gathers what pick takes from each rule covering file, from the
// file up: up to the first layer that gives anything when leafOnly, else
// up to the root or to a no_parent_owners directory once something has
// been gathered.
func (t *Tree) entries(file string, pick func(rule) set, leafOnly bool) set {
	out := set{}
	for d := strings.TrimSuffix(file, "/"); ; d = parentDir(d) {
		rel := relativeTo(d, file)
		for _, r := range t.rulesOf(d) {
			if r.matches(rel) {
				out.addAll(pick(r))
			}
		}
		if (leafOnly && len(out) > 0) || d == "" {
			return out
		}
		if t.NoParentOwners(d) && len(out) > 0 {
			return out
		}
	}
}

func (t *Tree) rulesOf(dir string) []rule {
	if c := t.dirs[dir]; c != nil {
		return c.rules
	}
	return nil
}

// parentDir is the directory holding p; "" for the root.
func parentDir(p string) string {
	d := path.Dir(p)
	if d == "." || d == "/" {
		return ""
	}
	return strings.TrimSuffix(d, "/")
}

// relativeTo is file's path below dir, as a filter regexp sees it.
func relativeTo(dir, file string) string {
	switch {
	case dir == "":
		return path.Clean(file)
	case dir == file:
		return "."
	case strings.HasPrefix(file, dir+"/"):
		return path.Clean(file[len(dir)+1:])
	}
	return file
}

// ownersPath is the path of dir's OWNERS file, as Prow names it.
func ownersPath(dir string) string {
	return path.Join(dir, OwnersFile)
}
