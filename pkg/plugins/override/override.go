// Package override is the override plugin: /override <context> sets a
// failed or missing status to success on the pull request's head commit,
// saying who overrode it.
package override

import (
	"context"
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
)

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "override",
		Description: "Marks commit statuses as passed without running them.",
		Config:      "override",
		Commands: []plugins.Command{{
			Name: "override", Args: `\S.*`, Who: "repository admins (GitHub admin, GitLab Maintainer or Owner)", ChangesState: true,
			Help:     "Sets each named context to success, described as overridden by the commenter; names with spaces are separated by commas.",
			Examples: []string{"/override ci/e2e", "/override pull-widgets-unit, pull-widgets-lint"}, Run: run,
		}},
	})
}

// contexts splits the argument: by commas when there are any, else by
// spaces.
func contexts(args string) []string {
	sep := strings.Fields
	if strings.Contains(args, ",") {
		sep = func(s string) []string { return strings.Split(s, ",") }
	}
	var out []string
	for _, c := range sep(args) {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func run(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
	user := a.User()
	if err := requireAdmin(ctx, a, user); err != nil {
		return "", err
	}
	reporter, ok := a.SCM.(providers.StatusReporter)
	if !ok {
		return "", plugins.Refuse("fresnel cannot set statuses on %s.", a.Event.Provider)
	}
	ev, err := a.Complete(ctx)
	if err != nil {
		return "", err
	}
	names := contexts(inv.Args)
	for _, name := range names {
		s := providers.Status{State: providers.StateSuccess, Context: name, Description: "Overridden by " + a.Mention(user)}
		if err := reporter.SetStatus(ctx, ev.CommitRef(), s); err != nil {
			return "", fmt.Errorf("override: set %s: %w", name, err)
		}
	}
	return "overrode " + strings.Join(names, ", "), nil
}

func requireAdmin(ctx context.Context, a *plugins.Agent, user string) error {
	checker, ok := a.SCM.(providers.AdminChecker)
	if !ok {
		return plugins.Refuse("fresnel cannot check who administers %s repositories, so /override is not available here.", a.Event.Provider)
	}
	admin, err := checker.IsRepoAdmin(ctx, a.Event.Repo.FullName, user)
	if err != nil {
		return fmt.Errorf("override: check admin %s: %w", user, err)
	}
	if !admin {
		return plugins.Refuse("only admins of %s may override statuses.", a.Event.Repo.FullName)
	}
	return nil
}
