package owners

import (
	"fmt"
	"regexp"
)

// PreconfiguredIgnoredDirs are the directories whose OWNERS files Prow
// never reads unless its config says ignore_preconfigured_defaults: any
// directory whose path matches one of these regexps, and all below it.
var PreconfiguredIgnoredDirs = []string{`\.git$`, `_output$`, `vendor/.*/.*`}

// Denylist names the directories whose OWNERS files are not read, by
// regexps on their paths relative to the repository root (Prow's
// owners_dir_denylist).
type Denylist struct {
	res []*regexp.Regexp
}

// NewDenylist compiles patterns, with Prow's preconfigured ones unless
// ignoreDefaults is set.
func NewDenylist(patterns []string, ignoreDefaults bool) (*Denylist, error) {
	all := append([]string{}, patterns...)
	if !ignoreDefaults {
		all = append(all, PreconfiguredIgnoredDirs...)
	}
	d := &Denylist{}
	for _, p := range all {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("owners: owners_dir_denylist %q: %w", p, err)
		}
		d.res = append(d.res, re)
	}
	return d, nil
}

// DefaultDenylist is Prow's preconfigured denylist alone.
func DefaultDenylist() *Denylist {
	d, _ := NewDenylist(nil, false) // the preconfigured patterns compile
	return d
}

// Ignored says whether dir (relative, "" for the root) or one of its
// parents is denied. The root never is.
func (d *Denylist) Ignored(dir string) bool {
	if d == nil {
		return false
	}
	for p := dir; p != ""; p = parentDir(p) {
		if d.matches(p) {
			return true
		}
	}
	return false
}

func (d *Denylist) matches(dir string) bool {
	if d == nil {
		return false
	}
	for _, re := range d.res {
		if re.MatchString(dir) {
			return true
		}
	}
	return false
}
