package owners

import (
	"math/rand"
	"slices"
)

// suggest picks whom to ask for approval, as Prow's approve plugin does:
//
//  1. a greedy cover of the needed OWNERS files by their nearest (leaf)
//     approvers, tried in a shuffled order, keeping those still useful
//     given who has approved and who is assigned;
//  2. a greedy cover by all approvers among those who approved, those
//     suggested and the assignees, tried in name order, keeping those
//     still useful given who approved and who was suggested.
//
// The answer is both, sorted.
func (c *change) suggest(approved, assignees set, seed int64) []string {
	leaf := reverse(c.approversByDir(true))
	suggested := c.keepCovering(leaf, approved.union(assignees), c.shuffledLeafApprovers(seed))
	approvedOrSuggested := approved.union(suggested)
	everyone := approvedOrSuggested.union(assignees)
	full := reverse(c.approversByDir(false))
	kept := c.keepCovering(full, approvedOrSuggested, everyone.sorted())
	return suggested.union(kept).sorted()
}

// shuffledLeafApprovers lists the leaf approvers of each needed OWNERS
// directory (someone listed in two is listed twice), sorted, then
// shuffled by a permutation from math/rand seeded with seed: the same
// source and the same call Prow makes, so the order, and with it the
// suggestions, are Prow's.
func (c *change) shuffledLeafApprovers(seed int64) []string {
	var all []string
	for _, approvers := range c.approversByDir(true) {
		for login := range approvers {
			all = append(all, login)
		}
	}
	slices.Sort(all)
	order := rand.New(rand.NewSource(seed)).Perm(len(all))
	out := make([]string, 0, len(all))
	for _, i := range order {
		out = append(out, all[i])
	}
	return out
}

// keepCovering covers the change greedily from candidates, then keeps
// those who can approve an OWNERS directory that known leaves unapproved.
func (c *change) keepCovering(dirsOf map[string]set, known set, candidates []string) set {
	open := c.unapproved(known)
	kept := set{}
	for login := range c.greedyCover(dirsOf, candidates) {
		if dirsOf[login].intersects(open) {
			kept.add(login)
		}
	}
	return kept
}

// greedyCover adds, while the change is not approved, the first candidate
// who can approve more unapproved directories than any before them in
// the list. As in Prow, the bar each pick sets is the number of all the
// directories the pick can approve, approved or not.
func (c *change) greedyCover(dirsOf map[string]set, candidates []string) set {
	chosen := set{}
	for !c.approved(chosen) {
		open := c.unapproved(chosen)
		best, bar := "", 0
		for _, login := range candidates {
			if dirsOf[login].countIn(open) > bar && !chosen.has(login) {
				best, bar = login, len(dirsOf[login])
			}
		}
		if best == "" {
			break
		}
		chosen.add(best)
	}
	return chosen
}

// reverse maps each approver to the directories they may approve.
func reverse(byDir map[string]set) map[string]set {
	out := map[string]set{}
	for dir, approvers := range byDir {
		for login := range approvers {
			if out[login] == nil {
				out[login] = set{}
			}
			out[login].add(dir)
		}
	}
	return out
}
