package owners

import (
	"cmp"
	"slices"
)

// set is a set of strings (logins, directories).
type set map[string]struct{}

func newSet(items ...string) set {
	s := set{}
	for _, it := range items {
		s.add(it)
	}
	return s
}

func (s set) add(item string) { s[item] = struct{}{} }

func (s set) has(item string) bool {
	_, ok := s[item]
	return ok
}

func (s set) addAll(other set) {
	for it := range other {
		s.add(it)
	}
}

// union is a new set holding the items of s and of other.
func (s set) union(other set) set {
	out := set{}
	out.addAll(s)
	out.addAll(other)
	return out
}

// intersects says whether s and other share an item.
func (s set) intersects(other set) bool {
	for it := range s {
		if other.has(it) {
			return true
		}
	}
	return false
}

// countIn is how many items of s are in other.
func (s set) countIn(other set) int {
	n := 0
	for it := range s {
		if other.has(it) {
			n++
		}
	}
	return n
}

// sorted lists the items in order; never nil, so JSON shows [].
func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for it := range s {
		out = append(out, it)
	}
	slices.Sort(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	return keys
}
