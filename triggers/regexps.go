package triggers

import "regexp"

// regexps compiles each distinct expression once. Jobs of one load share
// the expressions they have in common (the same branches, the default
// trigger of jobs named alike in many repos), and so their compiled form:
// a Regexp is safe for concurrent use.
type regexps map[string]compiledRegexp

type compiledRegexp struct {
	re  *regexp.Regexp
	err error
}

// compile is regexp.Compile, remembered; a nil regexps compiles anew.
func (rs regexps) compile(expr string) (*regexp.Regexp, error) {
	if rs == nil {
		return regexp.Compile(expr)
	}
	c, ok := rs[expr]
	if !ok {
		c.re, c.err = regexp.Compile(expr)
		rs[expr] = c
	}
	return c.re, c.err
}
