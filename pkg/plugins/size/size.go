// Package size is the size plugin: it keeps one size/* label on each pull
// request (size/XS to size/XXL), from the lines it adds and deletes, as
// Prow's size plugin does.
package size

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Prefix starts every label the plugin sets.
const Prefix = "size/"

// Defaults are Prow's thresholds: the least number of changed lines of
// each size.
var Defaults = triggers.SizeSettings{S: 10, M: 30, L: 100, Xl: 500, Xxl: 1000}

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "size",
		Description: "Labels each pull request size/XS to size/XXL by the lines it adds and deletes.",
		Config:      "size",
		OnEvent:     onEvent,
	})
}

// Label returns the size label of a change of lines changed lines.
func Label(lines int, s triggers.SizeSettings) string {
	s = thresholds(s)
	switch {
	case lines < s.S:
		return Prefix + "XS"
	case lines < s.M:
		return Prefix + "S"
	case lines < s.L:
		return Prefix + "M"
	case lines < s.Xl:
		return Prefix + "L"
	case lines < s.Xxl:
		return Prefix + "XL"
	}
	return Prefix + "XXL"
}

// thresholds fills each threshold plugins.yaml leaves out with Prow's.
func thresholds(s triggers.SizeSettings) triggers.SizeSettings {
	return triggers.SizeSettings{
		S: cmp.Or(s.S, Defaults.S), M: cmp.Or(s.M, Defaults.M), L: cmp.Or(s.L, Defaults.L),
		Xl: cmp.Or(s.Xl, Defaults.Xl), Xxl: cmp.Or(s.Xxl, Defaults.Xxl),
	}
}

func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev := a.Event
	if ev.Kind != event.KindPullRequest || ev.Closed || !changesCode(ev) {
		return nil, nil
	}
	counter, ok := a.SCM.(providers.LineCounter)
	if !ok {
		// Said in the webhook's answer and the log, not in a comment on
		// every push: the provider matrix in docs/plugins.md says so too.
		return []string{"skipped: " + ev.Provider + " cannot count a pull request's changed lines"}, nil
	}
	add, del, err := counter.ChangedLines(ctx, a.Target())
	if err != nil {
		return nil, fmt.Errorf("size: %w", err)
	}
	return apply(ctx, a, Label(add+del, a.Config.Size))
}

func changesCode(ev event.Event) bool {
	switch ev.Action {
	case event.ActionOpened, event.ActionReopened, event.ActionSynchronize:
		return true
	}
	return false
}

// apply sets label and removes every other size label the pull request
// has. Where labels cannot be read back (statuses on Bitbucket), only
// label is set: statuses belong to the commit, and each push starts with
// none.
func apply(ctx context.Context, a *plugins.Agent, label string) ([]string, error) {
	current, known, err := a.CurrentLabels(ctx)
	if err != nil {
		return nil, err
	}
	l, err := a.Labeler(ctx)
	if err != nil {
		return nil, err
	}
	var did []string
	for _, old := range current {
		if strings.HasPrefix(old, Prefix) && old != label {
			if err := l.RemoveLabel(ctx, a.Target(), old); err != nil {
				return did, fmt.Errorf("size: remove %s: %w", old, err)
			}
			did = append(did, "removed "+old)
		}
	}
	if known && slices.Contains(current, label) {
		return did, nil
	}
	if err := l.AddLabel(ctx, a.Target(), label); err != nil {
		return did, fmt.Errorf("size: add %s: %w", label, err)
	}
	return append(did, "added "+label), nil
}
