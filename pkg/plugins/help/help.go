// Package help is the help plugin: /help lists the commands enabled in
// the repository, with who may use them.
package help

import (
	"context"
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
)

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "help",
		Description: "Lists the commands this repository accepts.",
		Commands: []plugins.Command{{
			Name: "help", Who: "anyone", Help: "Lists the commands enabled here.", Examples: []string{"/help"}, Run: run,
		}},
	})
}

func run(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
	if err := a.Comment(ctx, Text(a.Enabled)); err != nil {
		return "", err
	}
	return "listed the commands of " + strings.Join(a.Enabled, ", "), nil
}

// Text is the /help answer for the plugins enabled: a table of commands.
func Text(enabled []string) string {
	var b strings.Builder
	b.WriteString("Commands enabled in this repository (`/lh-` before a command works too):\n\n")
	b.WriteString("| command | what it does | who may use it | example |\n| --- | --- | --- | --- |\n")
	for _, name := range enabled {
		p, ok := plugins.Get(name)
		if !ok {
			continue
		}
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "| `/%s` | %s | %s | %s |\n", c.Name, c.Help, c.Who, examples(c.Examples))
		}
	}
	return b.String()
}

func examples(list []string) string {
	quoted := make([]string, len(list))
	for i, e := range list {
		quoted[i] = "`" + e + "`"
	}
	return strings.Join(quoted, "<br>")
}
