// Package wip is the wip plugin: a draft pull request, or one whose title
// starts with WIP or [WIP], gets do-not-merge/work-in-progress, and loses
// it when it is neither any more.
package wip

import (
	"context"
	"regexp"
	"slices"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
)

// Label marks a pull request that is work in progress.
const Label = "do-not-merge/work-in-progress"

// titleRe matches titles that say work in progress: "WIP: x", "[WIP] x",
// "wip x".
var titleRe = regexp.MustCompile(`(?i)^\W?WIP\b`)

// checked are the pull request actions after which the state may differ.
var checked = []event.Action{
	event.ActionOpened, event.ActionReopened, event.ActionEdited, event.ActionSynchronize,
	event.ActionReadyForReview, event.ActionConvertToDraft,
}

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "wip",
		Description: "Labels draft pull requests and those titled WIP with " + Label + ".",
		OnEvent:     onEvent,
	})
}

// IsWIP reports whether a pull request is work in progress.
func IsWIP(ev event.Event) bool { return ev.Draft || titleRe.MatchString(ev.Title) }

func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev := a.Event
	if ev.Kind != event.KindPullRequest || !slices.Contains(checked, ev.Action) {
		return nil, nil
	}
	want, has := IsWIP(ev), slices.Contains(ev.Labels, Label)
	// SCMs without labels keep them as statuses that cannot be read
	// back: those are always set.
	if _, labels := a.SCM.(providers.Labeler); labels && want == has {
		return nil, nil
	}
	if _, err := a.SetLabel(ctx, Label, want); err != nil {
		return nil, err
	}
	if want {
		return []string{"added " + Label}, nil
	}
	return []string{"removed " + Label}, nil
}
