package size

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

func TestLabel(t *testing.T) {
	custom := triggers.SizeSettings{S: 5, M: 50}
	tests := []struct {
		name  string
		lines int
		cfg   triggers.SizeSettings
		want  string
	}{
		{name: "nothing", lines: 0, want: "size/XS"},
		{name: "just under S", lines: 9, want: "size/XS"},
		{name: "S", lines: 10, want: "size/S"},
		{name: "M", lines: 30, want: "size/M"},
		{name: "L", lines: 499, want: "size/L"},
		{name: "XL", lines: 500, want: "size/XL"},
		{name: "XXL", lines: 1000, want: "size/XXL"},
		{name: "custom S, default L", lines: 5, cfg: custom, want: "size/S"},
		{name: "custom M", lines: 49, cfg: custom, want: "size/S"},
		{name: "custom M reached, default L", lines: 99, cfg: custom, want: "size/M"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Label(tc.lines, tc.cfg); got != tc.want {
				t.Errorf("Label(%d) = %s, want %s", tc.lines, got, tc.want)
			}
		})
	}
}

func run(t *testing.T, scm any, ev event.Event, cfg triggers.SizeSettings) []plugins.Result {
	t.Helper()
	log := logrus.New()
	log.SetOutput(io.Discard)
	file := &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{"acme": {Plugins: []string{"size"}}}, Size: cfg}
	r := &plugins.Runner{Config: func() *triggers.PluginsFile { return file }, Log: log}
	return r.Handle(context.Background(), scm, ev)
}

func TestSizeLabels(t *testing.T) {
	tests := []struct {
		name       string
		action     event.Action
		labels     []string
		add, del   int
		wantLabels []string
		wantCalls  map[string]int
	}{
		{name: "opened", action: event.ActionOpened, labels: []string{"kind/bug"}, add: 20, del: 5,
			wantLabels: []string{"kind/bug", "size/S"}, wantCalls: map[string]int{"ChangedLines": 1, "Labels": 1, "AddLabel": 1}},
		{name: "a push grows it", action: event.ActionSynchronize, labels: []string{"size/S", "lgtm"}, add: 400, del: 200,
			wantLabels: []string{"lgtm", "size/XL"}, wantCalls: map[string]int{"ChangedLines": 1, "Labels": 1, "RemoveLabel": 1, "AddLabel": 1}},
		{name: "already right", action: event.ActionReopened, labels: []string{"size/M"}, add: 50,
			wantLabels: []string{"size/M"}, wantCalls: map[string]int{"ChangedLines": 1, "Labels": 1}},
		{name: "two stale labels", action: event.ActionSynchronize, labels: []string{"size/XS", "size/XXL"}, add: 1, del: 1,
			wantLabels: []string{"size/XS"}, wantCalls: map[string]int{"ChangedLines": 1, "Labels": 1, "RemoveLabel": 1}},
		{name: "labelled: nothing to do", action: event.ActionLabeled, labels: []string{"size/XS"}, add: 5000,
			wantLabels: []string{"size/XS"}, wantCalls: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pluginstest.NewReview(tc.labels...)
			s.Additions, s.Deletions = tc.add, tc.del
			for _, r := range run(t, s, pluginstest.PullRequestEvent(tc.action, "carol", "carol"), triggers.SizeSettings{}) {
				if r.Error != "" {
					t.Fatalf("size failed: %s", r.Error)
				}
			}
			got := s.State().Labels
			slices.Sort(got)
			if diff := cmp.Diff(tc.wantLabels, got); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, s.Calls()); diff != "" {
				t.Errorf("SCM calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSizeAsStatus: on an SCM without labels (Bitbucket) the size is a
// commit status named after the label.
func TestSizeAsStatus(t *testing.T) {
	inner := pluginstest.NewReview()
	inner.Additions = 120
	s := statusOnly{Bare: pluginstest.Bare{Commenter: inner, StatusReporter: inner.SCM, TrustChecker: inner, PullRequestReader: inner}, lines: inner}
	for _, r := range run(t, s, pluginstest.PullRequestEvent(event.ActionOpened, "carol", "carol"), triggers.SizeSettings{}) {
		if r.Error != "" {
			t.Fatalf("size failed: %s", r.Error)
		}
	}
	st := inner.State().Statuses
	if len(st) != 1 || st[0].Context != "size/L" {
		t.Errorf("statuses %+v, want one named size/L", st)
	}
}

// statusOnly is an SCM with statuses and line counts but no labels.
type statusOnly struct {
	pluginstest.Bare
	lines *pluginstest.ReviewSCM
}

func (s statusOnly) ChangedLines(ctx context.Context, t event.Target) (int, int, error) {
	return s.lines.ChangedLines(ctx, t)
}

func TestSizeWithoutLineCounts(t *testing.T) {
	bare := pluginstest.Bare{Commenter: pluginstest.New(), StatusReporter: pluginstest.New(), TrustChecker: pluginstest.New(), PullRequestReader: pluginstest.New()}
	res := run(t, bare, pluginstest.PullRequestEvent(event.ActionOpened, "carol", "carol"), triggers.SizeSettings{})
	if len(res) != 1 || res[0].Error != "" || !strings.Contains(res[0].Result, "cannot count") {
		t.Errorf("results %+v, want one saying lines cannot be counted, and no error (which would be a comment on every push)", res)
	}
}
