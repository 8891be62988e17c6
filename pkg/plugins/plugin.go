// Package plugins is fresnel's ChatOps layer, as Prow and Lighthouse users
// know it: plugins register themselves once, declare their comment
// commands as data, and the framework parses each new comment once, checks
// which plugins plugins.yaml enables for the repository, runs the matching
// commands and turns every failure into one reply comment.
package plugins

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// Plugin is one named plugin: its commands and, optionally, a handler for
// events that are not commands (a pull request opened, pushed to or
// labelled).
type Plugin struct {
	// Name is the name plugins.yaml enables it by ("lgtm").
	Name string
	// Description says what the plugin does, for /help.
	Description string
	// Config names the plugins.yaml section that configures it, if any.
	Config string
	// Commands are the comment commands it answers.
	Commands []Command
	// OnEvent sees every event of a repository that enables the plugin,
	// comments included; nil for plugins that only answer commands. It
	// returns what it did, for the webhook's answer.
	OnEvent func(ctx context.Context, a *Agent) ([]string, error)
}

// Command is one comment command, declared as data.
type Command struct {
	// Name is the command without its slash ("lgtm"); matched without
	// regard to case, with or without Lighthouse's "lh-" prefix.
	Name string
	// Args is a regular expression the rest of the line must match in
	// full; empty means the command takes no arguments. A line whose
	// arguments do not match is not this command, as in Prow.
	Args string
	// Who says who may use it, for /help ("collaborators", "anyone").
	Who string
	// Help says what it does, in one sentence.
	Help string
	// Examples are whole command lines.
	Examples []string
	// Run carries the command out and says what it did ("added lgtm").
	// An error becomes a reply to the commenter; Refuse makes one that
	// is quoted as is.
	Run func(ctx context.Context, a *Agent, inv Invocation) (string, error)
	// ChangesState marks a command that changes the pull request, so it
	// is logged with who, what and where.
	ChangesState bool

	args *regexp.Regexp
}

// Invocation is one command line of a comment.
type Invocation struct {
	// Name is the command's declared name, without slash or prefix.
	Name string
	// Args is the rest of the line, trimmed.
	Args string
	// Match holds the submatches of Args against the command's pattern.
	Match []string
	// Line is the line as written.
	Line string
}

var (
	registryMu sync.RWMutex
	registry   = map[string]*Plugin{}
	commands   = map[string]*Plugin{}
)

// Register makes a plugin available. Plugins call it from init; a name or
// command registered twice, or a bad argument pattern, panics at start-up.
func Register(p Plugin) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if p.Name == "" {
		panic("plugins: a plugin without a name")
	}
	if _, dup := registry[p.Name]; dup {
		panic("plugins: registered twice: " + p.Name)
	}
	for i := range p.Commands {
		c := &p.Commands[i]
		name := strings.ToLower(c.Name)
		if other, dup := commands[name]; dup {
			panic(fmt.Sprintf("plugins: /%s registered by %s and %s", name, other.Name, p.Name))
		}
		c.args = regexp.MustCompile(`(?i)^(?:` + c.Args + `)$`)
		commands[name] = &p
	}
	registry[p.Name] = &p
}

// Get returns the registered plugin named name.
func Get(name string) (*Plugin, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	p, ok := registry[name]
	return p, ok
}

// Names lists the registered plugins, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// command finds the registered command name and its plugin.
func command(name string) (*Plugin, *Command, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	p, ok := commands[name]
	if !ok {
		return nil, nil, false
	}
	for i := range p.Commands {
		if strings.EqualFold(p.Commands[i].Name, name) {
			return p, &p.Commands[i], true
		}
	}
	return nil, nil, false
}

// Result is what one plugin did for an event, as the webhook answers it.
type Result struct {
	Plugin  string `json:"plugin"`
	Command string `json:"command,omitempty"`
	User    string `json:"user,omitempty"`
	Result  string `json:"result,omitempty"`
	Error   string `json:"error,omitempty"`
	// Refused marks an Error that is a Refusal: the command was answered,
	// not failed, so there is nothing to retry.
	Refused bool `json:"-"`
}

// Refusal is an error meant for the commenter as written: a command they
// may not use, or that makes no sense here.
type Refusal struct{ Reason string }

func (r Refusal) Error() string { return r.Reason }

// Refuse returns a Refusal with a formatted reason.
func Refuse(format string, args ...any) error { return Refusal{Reason: fmt.Sprintf(format, args...)} }

// isCommandEvent reports whether ev can carry commands: a new comment on
// a pull request, or a submitted review's body. Edited comments never run
// commands twice.
func isCommandEvent(ev event.Event) bool {
	switch {
	case ev.Comment == nil:
		return false
	case ev.Kind == event.KindComment:
		return ev.Action == event.ActionCreated
	}
	return ev.Kind == event.KindReview && ev.Action == event.ActionSubmitted
}
