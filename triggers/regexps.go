package triggers

import (
	"regexp"
	"sync"
)

// regexps compiles each distinct expression once. Jobs of one load share
// the expressions they have in common (the same branches, the default
// trigger of jobs named alike in many repos), and so their compiled form:
// a Regexp is safe for concurrent use, and so is the cache, which the
// files read at once share.
type regexps struct{ cache *regexpCache }

type regexpCache struct {
	mu sync.Mutex
	m  map[string]compiledRegexp
}

type compiledRegexp struct {
	re  *regexp.Regexp
	err error
}

func newRegexps() regexps { return regexps{cache: &regexpCache{m: map[string]compiledRegexp{}}} }

// compile is regexp.Compile, remembered; the zero regexps compiles anew.
// Two files may compile one expression at the same time; the first to
// finish is kept.
func (rs regexps) compile(expr string) (*regexp.Regexp, error) {
	if rs.cache == nil {
		return regexp.Compile(expr)
	}
	c := rs.cache
	c.mu.Lock()
	got, ok := c.m[expr]
	c.mu.Unlock()
	if ok {
		return got.re, got.err
	}
	got.re, got.err = regexp.Compile(expr)
	c.mu.Lock()
	defer c.mu.Unlock()
	if first, ok := c.m[expr]; ok {
		return first.re, first.err
	}
	c.m[expr] = got
	return got.re, got.err
}
