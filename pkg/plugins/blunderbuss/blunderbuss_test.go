package blunderbuss

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

const baseSHA = "b1b1000000000000000000000000000000000001"

var repoOwners = map[string]string{
	"OWNERS":     "approvers:\n- root\nreviewers:\n- rosa\n",
	"api/OWNERS": "approvers:\n- alice\nreviewers:\n- rita\n- ravi\n- carol\n",
	"web/OWNERS": "approvers:\n- bob\nreviewers:\n- rita\n",
	"ops/OWNERS": "approvers:\n- olga\n",
}

func run(s any, ev event.Event, cfg triggers.BlunderbussConfig) []plugins.Result {
	log := logrus.New()
	log.SetOutput(io.Discard)
	file := &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{"acme": {Plugins: []string{"blunderbuss"}}}, Blunderbuss: cfg}
	r := &plugins.Runner{Config: func() *triggers.PluginsFile { return file }, Log: log}
	return r.Handle(context.Background(), s, ev)
}

func prEvent(action event.Action, draft bool) event.Event {
	ev := pluginstest.PullRequestEvent(action, "carol", "carol")
	ev.BaseSHA, ev.Draft = baseSHA, draft
	return ev
}

func TestBlunderbuss(t *testing.T) {
	one, three := 1, 3
	tests := []struct {
		name   string
		files  []string
		ev     event.Event
		cfg    triggers.BlunderbussConfig
		want   []string
		noCall bool
	}{
		{name: "most files first, never the author", files: []string{"api/a.go", "web/b.go"}, ev: prEvent(event.ActionOpened, false),
			cfg: triggers.BlunderbussConfig{RequestCount: &one}, want: []string{"rita"}},
		{name: "default count of two", files: []string{"api/a.go", "web/b.go"}, ev: prEvent(event.ActionOpened, false),
			want: []string{"rita", "ravi|rosa"}},
		{name: "approvers fill in", files: []string{"ops/run.sh"}, ev: prEvent(event.ActionOpened, false),
			cfg: triggers.BlunderbussConfig{RequestCount: &three}, want: []string{"rosa", "olga|root", "olga|root"}},
		{name: "exclude_approvers", files: []string{"ops/run.sh"}, ev: prEvent(event.ActionOpened, false),
			cfg: triggers.BlunderbussConfig{RequestCount: &three, ExcludeApprovers: true}, want: []string{"rosa"}},
		{name: "ignore_drafts: a draft waits", files: []string{"api/a.go"}, ev: prEvent(event.ActionOpened, true),
			cfg: triggers.BlunderbussConfig{IgnoreDrafts: true}, noCall: true},
		{name: "ignore_drafts: ready for review", files: []string{"api/a.go"}, ev: prEvent(event.ActionReadyForReview, false),
			cfg: triggers.BlunderbussConfig{IgnoreDrafts: true, RequestCount: &one}, want: []string{"ravi|rita"}},
		{name: "ignore_authors", files: []string{"api/a.go"}, ev: prEvent(event.ActionOpened, false),
			cfg: triggers.BlunderbussConfig{IgnoreAuthors: []string{"Carol"}}, noCall: true},
		{name: "a push requests nobody", files: []string{"api/a.go"}, ev: prEvent(event.ActionSynchronize, false), noCall: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pluginstest.NewReview()
			s.Files, s.Content[baseSHA] = tc.files, repoOwners
			for _, r := range run(s, tc.ev, tc.cfg) {
				if r.Error != "" {
					t.Fatalf("blunderbuss failed: %s", r.Error)
				}
			}
			got := s.State().Reviewers
			if tc.noCall {
				if s.Calls()["RequestReview"] != 0 {
					t.Errorf("requested %v, want no request", got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("requested %v, want %d of %v", got, len(tc.want), tc.want)
			}
			for i, alternatives := range tc.want {
				if !slices.Contains(strings.Split(alternatives, "|"), got[i]) {
					t.Errorf("reviewer %d is %s, want one of %s (all: %v)", i, got[i], alternatives, got)
				}
			}
			if slices.Contains(got, "carol") {
				t.Errorf("the author was requested: %v", got)
			}
		})
	}
}

func TestPickIsStableForAPullRequest(t *testing.T) {
	s := pluginstest.NewReview()
	s.Files, s.Content[baseSHA] = []string{"api/a.go"}, repoOwners
	first, second := pluginstest.NewReview(), pluginstest.NewReview()
	for _, x := range []*pluginstest.ReviewSCM{first, second} {
		x.Files, x.Content[baseSHA] = s.Files, repoOwners
		run(x, prEvent(event.ActionOpened, false), triggers.BlunderbussConfig{})
	}
	if !slices.Equal(first.State().Reviewers, second.State().Reviewers) {
		t.Errorf("a redelivery picked %v, then %v", first.State().Reviewers, second.State().Reviewers)
	}
}

func TestAutoCC(t *testing.T) {
	s := pluginstest.NewReview()
	s.Files, s.Content[baseSHA] = []string{"web/b.go"}, repoOwners
	s.PR = event.Event{HeadSHA: "abc", BaseSHA: baseSHA, BaseRef: "main", Author: "carol"}
	ev := pluginstest.CommentEvent("carol", "dave", "/auto-cc")
	ev.HeadSHA = ""
	for _, r := range run(s, ev, triggers.BlunderbussConfig{}) {
		if r.Error != "" {
			t.Fatalf("/auto-cc failed: %s", r.Error)
		}
	}
	if got := s.State().Reviewers; !slices.Equal(got, []string{"rita", "rosa"}) {
		t.Errorf("requested %v, want rita and rosa", got)
	}
}

func TestWithoutReviewRequests(t *testing.T) {
	inner := pluginstest.New()
	bare := pluginstest.Bare{Commenter: inner, StatusReporter: inner, TrustChecker: inner, PullRequestReader: inner}
	res := run(bare, prEvent(event.ActionOpened, false), triggers.BlunderbussConfig{})
	if len(res) != 1 || res[0].Error != "" || !strings.Contains(res[0].Result, "cannot request reviews") {
		t.Errorf("results %+v, want a skip saying reviews cannot be requested", res)
	}
}
