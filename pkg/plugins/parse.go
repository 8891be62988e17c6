package plugins

import (
	"regexp"
	"strings"
)

// commandLine is a line that starts with a slash and a word: /lgtm,
// /lh-hold cancel, /remove-lifecycle stale.
var commandLine = regexp.MustCompile(`^/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*))?$`)

// lighthousePrefix is accepted before any command, as Lighthouse writes them.
const lighthousePrefix = "lh-"

// Line is a command-looking line of a comment.
type Line struct {
	// Name is the command, lower-case, without slash or "lh-" prefix.
	Name string
	// Args is the rest of the line, trimmed.
	Args string
	// Text is the line as written.
	Text string
}

// ParseLines returns every line of body that starts with a command, in
// order. CRLF and CR line ends are handled; a line inside a fenced code
// block or quoted with ">" is not a command.
func ParseLines(body string) []Line {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	var lines []Line
	fenced := false
	for _, text := range strings.Split(body, "\n") {
		text = strings.TrimRight(text, " \t")
		if strings.HasPrefix(strings.TrimSpace(text), "```") {
			fenced = !fenced
			continue
		}
		m := commandLine.FindStringSubmatch(text)
		if fenced || m == nil {
			continue
		}
		name := strings.ToLower(m[1])
		if rest, ok := strings.CutPrefix(name, lighthousePrefix); ok && rest != "" {
			name = rest
		}
		lines = append(lines, Line{Name: name, Args: strings.TrimSpace(m[2]), Text: text})
	}
	return lines
}

// match returns the invocation of c that line is, if its arguments fit.
func (c *Command) match(line Line) (Invocation, bool) {
	m := c.args.FindStringSubmatch(line.Args)
	if m == nil {
		return Invocation{}, false
	}
	return Invocation{Name: strings.ToLower(c.Name), Args: line.Args, Match: m, Line: line.Text}, true
}
