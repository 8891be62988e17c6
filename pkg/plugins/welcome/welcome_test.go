package welcome

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

func run(scm any, ev event.Event, cfg triggers.WelcomeSettings) []plugins.Result {
	log := logrus.New()
	log.SetOutput(io.Discard)
	cfg.Repos = []string{"acme"}
	file := &triggers.PluginsFile{
		Plugins: map[string]triggers.OrgPlugins{"acme": {Plugins: []string{"welcome"}}},
		Welcome: []triggers.WelcomeSettings{cfg},
	}
	r := &plugins.Runner{Config: func() *triggers.PluginsFile { return file }, Log: log}
	return r.Handle(context.Background(), scm, ev)
}

func TestWelcome(t *testing.T) {
	tests := []struct {
		name     string
		action   event.Action
		prs      int
		cfg      triggers.WelcomeSettings
		fail     error
		want     string
		wantErr  string
		wantNone bool
	}{
		{name: "first pull request, default message", action: event.ActionOpened, prs: 1, want: "Welcome @newbie! This looks like your first pull request to acme/widgets."},
		{name: "custom template", action: event.ActionOpened, prs: 1,
			cfg: triggers.WelcomeSettings{MessageTemplate: "Hi {{.AuthorLogin}}, thanks for #{{.Number}} to {{.Org}}/{{.Repo}}"}, want: "Hi newbie, thanks for #7 to acme/widgets"},
		{name: "not the first", action: event.ActionOpened, prs: 3, wantNone: true},
		{name: "always_post", action: event.ActionOpened, prs: 3, cfg: triggers.WelcomeSettings{AlwaysPost: true}, want: "Welcome @newbie!"},
		{name: "only on opened", action: event.ActionReopened, prs: 1, wantNone: true},
		{name: "SCM error", action: event.ActionOpened, fail: errors.New("rate limited"), wantErr: "rate limited"},
		{name: "bad template", action: event.ActionOpened, prs: 1, cfg: triggers.WelcomeSettings{MessageTemplate: "Hi {{.Nobody}}"}, wantErr: "message_template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pluginstest.NewReview()
			s.PullRequests = map[string]int{"newbie": tc.prs}
			if tc.fail != nil {
				s.Fail = map[string]error{"PullRequestCount": tc.fail}
			}
			var errs []string
			for _, r := range run(s, pluginstest.PullRequestEvent(tc.action, "newbie", "newbie"), tc.cfg) {
				if r.Error != "" {
					errs = append(errs, r.Error)
				}
			}
			if tc.wantErr != "" {
				if len(errs) == 0 || !strings.Contains(errs[0], tc.wantErr) {
					t.Errorf("errors %q, want one containing %q", errs, tc.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("welcome failed: %v", errs)
			}
			comments := s.Comments()
			if tc.wantNone {
				if len(comments) != 0 {
					t.Errorf("comments %+v, want none", comments)
				}
				return
			}
			if len(comments) != 1 || !strings.Contains(comments[0].Body, tc.want) {
				t.Errorf("comments %+v, want one containing %q", comments, tc.want)
			}
		})
	}
}

func TestWelcomeWithoutCounts(t *testing.T) {
	inner := pluginstest.New()
	bare := pluginstest.Bare{Commenter: inner, StatusReporter: inner, TrustChecker: inner, PullRequestReader: inner}
	ev := pluginstest.PullRequestEvent(event.ActionOpened, "newbie", "newbie")
	res := run(bare, ev, triggers.WelcomeSettings{})
	if len(res) != 1 || res[0].Error != "" || !strings.Contains(res[0].Result, "skipped") || len(inner.State().Comments) != 0 {
		t.Errorf("results %+v, comments %v; want a skip and no comment", res, inner.State().Comments)
	}
	run(bare, ev, triggers.WelcomeSettings{AlwaysPost: true})
	if got := inner.State().Comments; len(got) != 1 {
		t.Errorf("always_post: comments %v, want the greeting", got)
	}
}

// mentioning is an SCM that writes mentions its own way, as Bitbucket
// Cloud does with account ids.
type mentioning struct{ *pluginstest.ReviewSCM }

func (mentioning) Mention(user string) string { return "@{acct-" + user + "}" }

func TestWelcomeMentionsAsTheSCMDoes(t *testing.T) {
	s := pluginstest.NewReview()
	s.PullRequests = map[string]int{"newbie": 1}
	run(mentioning{s}, pluginstest.PullRequestEvent(event.ActionOpened, "newbie", "newbie"), triggers.WelcomeSettings{})
	if c := s.Comments(); len(c) != 1 || !strings.HasPrefix(c[0].Body, "Welcome @{acct-newbie}!") {
		t.Errorf("comments %+v, want the greeting mentioning @{acct-newbie}", c)
	}
}
