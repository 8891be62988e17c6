package triggers

import (
	"fmt"
	"regexp"
	"strings"
)

// commandMatcher says whether a comment starts a job: its trigger.
type commandMatcher interface{ MatchString(comment string) bool }

// defaultTriggerFormat is Prow's trigger for a job that sets none: a line
// "/test NAME", NAME among other words, perhaps followed by a comma.
const defaultTriggerFormat = `(?m)^/test( | .* )%s,?($|\s.*)`

func defaultTrigger(name string) string {
	return fmt.Sprintf(defaultTriggerFormat, regexp.QuoteMeta(name))
}

// testCommand matches what defaultTrigger(name) matches without a compiled
// expression per job: thousands of jobs each keep a few kilobytes less.
type testCommand struct{ name string }

// MatchString reports whether a line of comment is "/test", then a space,
// then words among which name stands on its own: after the space that
// follows /test or after a later space, and followed by the end of the
// line, a whitespace character or a comma and then one of those.
func (c testCommand) MatchString(comment string) bool {
	for line := range strings.SplitSeq(comment, "\n") {
		if c.inLine(line) {
			return true
		}
	}
	return false
}

func (c testCommand) inLine(line string) bool {
	rest, ok := strings.CutPrefix(line, "/test ")
	if !ok || c.name == "" {
		return false
	}
	for i := 0; i <= len(rest)-len(c.name); i++ {
		if (i == 0 || rest[i-1] == ' ') && strings.HasPrefix(rest[i:], c.name) && endsWord(rest[i+len(c.name):]) {
			return true
		}
	}
	return false
}

// endsWord reports whether what follows a name ends it: nothing, a
// whitespace character (as RE2's \s: tab, newline, form feed, carriage
// return, space), or a comma followed by one of those.
func endsWord(after string) bool {
	after = strings.TrimPrefix(after, ",")
	return after == "" || strings.IndexByte("\t\n\f\r ", after[0]) >= 0
}
