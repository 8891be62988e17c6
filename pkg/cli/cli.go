// Package cli holds fresnel's offline commands: checkconfig validates the
// job configuration, explain says which jobs an event payload would run,
// owners says what the approve plugin decides from a repository's OWNERS
// files. None talks to an SCM or a cluster.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ExitCode is the status a command ends with. Its message, if any, has
// already been printed.
type ExitCode int

func (c ExitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// Exit codes.
const (
	// ExitProblems: checkconfig found errors (or warnings, with --strict).
	ExitProblems ExitCode = 1
	// ExitBadInput: a bad flag, a missing or unreadable file, a payload
	// that does not parse.
	ExitBadInput ExitCode = 2
)

// command is the flag set of one command and where its messages go.
type command struct {
	name   string
	usage  string
	flags  *flag.FlagSet
	stdout io.Writer
	stderr io.Writer
}

func newCommand(name, usage string, stdout, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{name: name, usage: usage, flags: fs, stdout: stdout, stderr: stderr}
}

// parse parses args; -h prints the usage and ends the command with 0.
func (c *command) parse(args []string) error {
	err := c.flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, c.usage)
		return ExitCode(0)
	case err != nil:
		return c.badUsage("%v", err)
	case c.flags.NArg() > 0:
		return c.badUsage("unexpected argument %q", c.flags.Arg(0))
	}
	return nil
}

// require fails when a required flag is empty.
func (c *command) require(values map[string]string) error {
	var missing []string
	for name, v := range values {
		if v == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return c.badUsage("missing %s", strings.Join(missing, ", "))
}

func (c *command) badUsage(format string, args ...any) error {
	fmt.Fprintf(c.stderr, "fresnel %s: %s\n\n%s", c.name, fmt.Sprintf(format, args...), c.usage)
	return ExitBadInput
}

// fail prints err and ends the command with code.
func (c *command) fail(code ExitCode, err error) error {
	fmt.Fprintf(c.stderr, "fresnel %s: %v\n", c.name, err)
	return code
}
