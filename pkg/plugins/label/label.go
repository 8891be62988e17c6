// Package label is the label plugin: /kind, /priority, /area, /triage and
// /sig add prefixed labels, /remove-<prefix> takes them off, and /label
// and /remove-label handle the labels plugins.yaml's label section lists.
package label

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Prefixes are the label families with their own command: /kind bug adds
// kind/bug.
var Prefixes = []string{"kind", "priority", "area", "triage", "sig"}

// argsPattern is one or more label names separated by spaces.
const argsPattern = `[\w./:-]+(?:\s+[\w./:-]+)*`

func init() {
	var cmds []plugins.Command
	for _, prefix := range Prefixes {
		cmds = append(cmds,
			plugins.Command{Name: prefix, Args: argsPattern, Who: "anyone, except for restricted labels", ChangesState: true,
				Help: fmt.Sprintf("Adds %s/<name> labels.", prefix), Examples: []string{"/" + prefix + " " + example(prefix)}, Run: prefixed(prefix, true)},
			plugins.Command{Name: "remove-" + prefix, Args: argsPattern, Who: "anyone, except for restricted labels", ChangesState: true,
				Help: fmt.Sprintf("Removes %s/<name> labels.", prefix), Examples: []string{"/remove-" + prefix + " " + example(prefix)}, Run: prefixed(prefix, false)})
	}
	cmds = append(cmds,
		plugins.Command{Name: "label", Args: argsPattern, Who: "anyone, except for restricted labels", ChangesState: true,
			Help: "Adds labels that plugins.yaml's label.additional_labels lists.", Examples: []string{"/label tide/merge-method-squash"}, Run: custom(true)},
		plugins.Command{Name: "remove-label", Args: argsPattern, Who: "anyone, except for restricted labels", ChangesState: true,
			Help: "Removes labels that plugins.yaml's label.additional_labels lists.", Examples: []string{"/remove-label tide/merge-method-squash"}, Run: custom(false)})
	plugins.Register(plugins.Plugin{
		Name: "label", Description: "Adds and removes labels by command.", Config: "label", Commands: cmds,
	})
}

func example(prefix string) string {
	return map[string]string{"kind": "bug", "priority": "important-soon", "area": "docs", "triage": "accepted", "sig": "testing"}[prefix]
}

func prefixed(prefix string, add bool) func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
	return func(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
		var labels []string
		for _, name := range strings.Fields(inv.Args) {
			labels = append(labels, prefix+"/"+strings.TrimPrefix(strings.ToLower(name), prefix+"/"))
		}
		return apply(ctx, a, labels, add)
	}
}

func custom(add bool) func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
	return func(ctx context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
		labels := strings.Fields(inv.Args)
		for _, l := range labels {
			if !slices.Contains(a.Config.Label.AdditionalLabels, l) {
				return "", plugins.Refuse("the label %s is not one /label may set: plugins.yaml's label.additional_labels does not list it.", l)
			}
		}
		return apply(ctx, a, labels, add)
	}
}

// apply checks every label's restrictions first, then changes them all.
func apply(ctx context.Context, a *plugins.Agent, labels []string, add bool) (string, error) {
	for _, l := range labels {
		if err := mayChange(a, l); err != nil {
			return "", err
		}
	}
	var changed []string
	for _, l := range labels {
		did, err := a.SetLabel(ctx, l, add)
		if err != nil {
			return summary(add, changed), err
		}
		if did {
			changed = append(changed, l)
		}
	}
	return summary(add, changed), nil
}

func summary(add bool, labels []string) string {
	switch {
	case len(labels) == 0:
		return "no label changed"
	case add:
		return "added " + strings.Join(labels, ", ")
	}
	return "removed " + strings.Join(labels, ", ")
}

// mayChange applies restricted_labels: the entries of "*", the org and
// the repo. Team membership cannot be checked, so a restricted label
// with allowed_teams only is refused to everyone not in allowed_users.
func mayChange(a *plugins.Agent, label string) error {
	user := a.User()
	for _, r := range restrictions(a.Config.Label, a.Event.Repo.FullName) {
		if !strings.EqualFold(r.Label, label) {
			continue
		}
		if !slices.ContainsFunc(r.AllowedUsers, func(u string) bool { return strings.EqualFold(u, user) }) {
			return plugins.Refuse("the label %s is restricted; only %s may change it.", label, allowed(r))
		}
	}
	return nil
}

func restrictions(s triggers.LabelSettings, repo string) []triggers.RestrictedLabel {
	out := slices.Clone(s.RestrictedLabels["*"])
	owner, _, _ := strings.Cut(repo, "/")
	out = append(out, s.RestrictedLabels[owner]...)
	if repo != owner {
		out = append(out, s.RestrictedLabels[repo]...)
	}
	return out
}

func allowed(r triggers.RestrictedLabel) string {
	var who []string
	for _, u := range r.AllowedUsers {
		who = append(who, "@"+u)
	}
	if len(who) == 0 {
		return "the users plugins.yaml allows (teams cannot be checked by fresnel)"
	}
	return strings.Join(who, ", ")
}
