package wip_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/pkg/plugins/wip"
)

func TestWIP(t *testing.T) {
	cases := []struct {
		name       string
		action     event.Action
		title      string
		draft      bool
		labels     []string
		want       []string
		wantLabels []string
	}{
		{name: "draft opened", action: event.ActionOpened, title: "Fix", draft: true, want: []string{"added " + wip.Label}, wantLabels: []string{wip.Label}},
		{name: "WIP: title", action: event.ActionOpened, title: "WIP: fix", want: []string{"added " + wip.Label}, wantLabels: []string{wip.Label}},
		{name: "[WIP] title", action: event.ActionEdited, title: "[WIP] fix", want: []string{"added " + wip.Label}, wantLabels: []string{wip.Label}},
		{name: "wipe is not wip", action: event.ActionOpened, title: "wipe the cache"},
		{name: "ready for review", action: event.ActionReadyForReview, title: "Fix", labels: []string{wip.Label}, want: []string{"removed " + wip.Label}},
		{name: "title fixed", action: event.ActionEdited, title: "Fix", labels: []string{wip.Label, "kind/bug"}, want: []string{"removed " + wip.Label}, wantLabels: []string{"kind/bug"}},
		{name: "already labelled", action: event.ActionSynchronize, title: "WIP fix", labels: []string{wip.Label}, wantLabels: []string{wip.Label}},
		{name: "closed is not looked at", action: event.ActionClosed, title: "WIP fix"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			ev := pluginstest.PullRequestEvent(tc.action, "alice", "alice")
			ev.Title, ev.Draft, ev.Labels = tc.title, tc.draft, tc.labels
			got := pluginstest.Outcomes(pluginstest.Run(scm, ev, pluginstest.Enable("wip"), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLabels, scm.State().Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}
