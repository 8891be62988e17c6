// Package assign is the assign plugin: /assign and /unassign change a pull
// request's assignees, /cc and /uncc its requested reviewers.
package assign

import (
	"context"
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
)

// usersPattern is zero or more logins, each with or without "@".
const usersPattern = `(?:@?[\w.-]+(?:\s+@?[\w.-]+)*)?`

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "assign",
		Description: "Assigns people to a pull request and requests their review.",
		Commands: []plugins.Command{
			{Name: "assign", Args: usersPattern, Who: "anyone; the SCM refuses people who may not be assigned", ChangesState: true,
				Help: "Assigns the people named, or the commenter when none is.", Examples: []string{"/assign", "/assign @alice @bob"}, Run: assignees(true)},
			{Name: "unassign", Args: usersPattern, Who: "anyone", ChangesState: true,
				Help: "Unassigns the people named, or the commenter when none is.", Examples: []string{"/unassign", "/unassign @alice"}, Run: assignees(false)},
			{Name: "cc", Args: usersPattern, Who: "anyone; the SCM refuses people who may not review", ChangesState: true,
				Help: "Requests a review from the people named, or the commenter.", Examples: []string{"/cc @alice"}, Run: reviewers(true)},
			{Name: "uncc", Args: usersPattern, Who: "anyone", ChangesState: true,
				Help: "Withdraws the review request of the people named, or the commenter.", Examples: []string{"/uncc @alice"}, Run: reviewers(false)},
		},
	})
}

// users returns the logins of a command line, or the commenter's.
func users(a *plugins.Agent, inv plugins.Invocation) []string {
	var out []string
	for _, f := range strings.Fields(inv.Args) {
		out = append(out, strings.TrimPrefix(f, "@"))
	}
	if len(out) == 0 {
		out = []string{a.User()}
	}
	return out
}

type change func(ctx context.Context, target event.Target, users []string) error

func assignees(add bool) func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
	return func(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
		s, ok := a.SCM.(providers.Assigner)
		if !ok {
			return "", plugins.Refuse("%s pull requests have no assignees fresnel can change.", a.Event.Provider)
		}
		if add {
			return apply(ctx, a, s.Assign, users(a, inv), "assigned")
		}
		return apply(ctx, a, s.Unassign, users(a, inv), "unassigned")
	}
}

func reviewers(add bool) func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
	return func(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
		s, ok := a.SCM.(providers.ReviewRequester)
		if !ok {
			return "", plugins.Refuse("fresnel cannot request reviews on %s.", a.Event.Provider)
		}
		if add {
			return apply(ctx, a, s.RequestReview, users(a, inv), "requested review from")
		}
		return apply(ctx, a, s.UnrequestReview, users(a, inv), "withdrew review request of")
	}
}

func apply(ctx context.Context, a *plugins.Agent, f change, logins []string, verb string) (string, error) {
	if err := f(ctx, a.Target(), logins); err != nil {
		return "", fmt.Errorf("assign: %s %s: %w", verb, strings.Join(logins, ", "), err)
	}
	return verb + " " + strings.Join(logins, ", "), nil
}
