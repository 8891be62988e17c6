package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

// trustSCM is an SCM with members, labels and comments in memory. It
// counts membership calls and file reads.
type trustSCM struct {
	*fakeSCM
	mu            sync.Mutex
	members       []string
	memberErr     error
	labels        []string
	comments      []event.Comment
	memberCalls   int
	fileReads     int
	labelsAdded   []string
	labelsRemoved []string
}

func (s *trustSCM) IsOrgMember(_ context.Context, _, user string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.memberCalls++
	return slices.Contains(s.members, user), s.memberErr
}

func (s *trustSCM) IsCollaborator(_ context.Context, _, _ string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.memberCalls++
	return false, s.memberErr
}

func (s *trustSCM) Labels(context.Context, event.Target) ([]string, error) { return s.labels, nil }

func (s *trustSCM) AddLabel(_ context.Context, _ event.Target, label string) error {
	s.labelsAdded = append(s.labelsAdded, label)
	s.labels = append(s.labels, label)
	return nil
}

func (s *trustSCM) RemoveLabel(_ context.Context, _ event.Target, label string) error {
	s.labelsRemoved = append(s.labelsRemoved, label)
	s.labels = slices.DeleteFunc(s.labels, func(l string) bool { return l == label })
	return nil
}

func (s *trustSCM) Comment(_ context.Context, _ event.Target, body string) (string, error) {
	s.comments = append(s.comments, event.Comment{ID: fmt.Sprint(len(s.comments) + 1), Body: body, Author: "fresnel-bot"})
	return fmt.Sprint(len(s.comments)), nil
}

func (s *trustSCM) ReadFile(context.Context, string, string, string) ([]byte, error) {
	s.fileReads++
	return nil, providers.ErrNotFound
}

func (s *trustSCM) ListDir(context.Context, string, string, string) ([]string, error) {
	s.fileReads++
	return nil, providers.ErrNotFound
}

// editingSCM can also list its comments, so fresnel finds its notice.
type editingSCM struct{ *trustSCM }

func (s editingSCM) ListComments(context.Context, event.Target) ([]event.Comment, error) {
	return s.comments, nil
}

func (s editingSCM) EditComment(context.Context, event.Target, string, string) error { return nil }

func (s editingSCM) DeleteComment(context.Context, event.Target, string) error { return nil }

func newTrustSCM() *trustSCM {
	return &trustSCM{fakeSCM: &fakeSCM{}, members: []string{"alice"}}
}

// trustDispatcher reads jobsYAML and, when plugins is set, plugins.yaml;
// in-repo jobs are enabled so that reading them would show.
func trustDispatcher(t *testing.T, plugins string) (*Dispatcher, *fakeLauncher) {
	t.Helper()
	d, l := newDispatcher(t)
	cfg := d.Config()
	if plugins != "" {
		p, problems := triggers.ParsePlugins([]byte(plugins), "plugins.yaml", ImplementedPlugins())
		if err := problems.Err(); err != nil {
			t.Fatal(err)
		}
		cfg.Plugins = p
	}
	d.InRepo = &InRepo{Loader: inrepo.NewLoader(10), Enabled: func(string) bool { return true }}
	d.BotUser = func(providers.Instance) string { return "fresnel-bot" }
	return d, l
}

func byStranger(ev event.Event) event.Event {
	ev.Author, ev.Sender = "mallory", "mallory"
	return ev
}

func commentBy(user, body string) event.Event {
	ev := comment(body)
	ev.Author, ev.Sender, ev.Comment.Author = "mallory", user, user
	return ev
}

func labelled(label, sender string) event.Event {
	ev := byStranger(pullRequest(event.ActionLabeled))
	ev.Label, ev.Sender = label, sender
	ev.Labels = []string{trust.NeedsOkToTest, label}
	return ev
}

func TestUntrustedPullRequest(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	out, err := d.Handle(context.Background(), instance(scm), byStranger(pullRequest(event.ActionOpened)))
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 0 || len(out.Runs) != 0 {
		t.Errorf("an untrusted pull request launched %v", l.jobs)
	}
	if !strings.Contains(out.Refused, "mallory is not a member of org nor a collaborator on org/repo") {
		t.Errorf("Refused = %q, want who and why", out.Refused)
	}
	if len(out.Skipped) != 4 || out.Skipped[0].Reason != out.Refused {
		t.Errorf("Skipped = %+v, want every presubmit skipped for the refusal", out.Skipped)
	}
	if scm.fileReads != 0 {
		t.Errorf("in-repo files of an untrusted pull request were read %d times", scm.fileReads)
	}
	if diff := cmp.Diff([]string{trust.NeedsOkToTest}, scm.labelsAdded); diff != "" {
		t.Errorf("labels added (-want +got):\n%s", diff)
	}
	if len(scm.comments) != 1 || !strings.Contains(scm.comments[0].Body, "/ok-to-test") || !strings.Contains(scm.comments[0].Body, "@mallory") {
		t.Errorf("comments = %+v, want one telling @mallory about /ok-to-test", scm.comments)
	}
	if diff := cmp.Diff([]string{"added the needs-ok-to-test label", "commented"}, out.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestUntrustedPullRequestIsToldOnce(t *testing.T) {
	tests := []struct {
		name  string
		scm   func(*trustSCM) providers.Intake
		label bool
	}{
		{name: "comments listed: the notice is found", scm: func(s *trustSCM) providers.Intake { return editingSCM{s} }},
		{name: "no comment listing: only on open", scm: func(s *trustSCM) providers.Intake { return s }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			for _, action := range []event.Action{event.ActionOpened, event.ActionSynchronize, event.ActionSynchronize, event.ActionReopened} {
				ev := byStranger(pullRequest(action))
				ev.Labels = slices.Clone(scm.labels)
				if _, err := d.Handle(context.Background(), instance(tc.scm(scm)), ev); err != nil {
					t.Fatal(err)
				}
			}
			if len(scm.comments) != 1 || len(scm.labelsAdded) != 1 || l.calls != 0 {
				t.Errorf("after 4 events: %d comments, labels added %v, %d launches; want 1, one label, none", len(scm.comments), scm.labelsAdded, l.calls)
			}
		})
	}
}

func TestJoinOrgURLAndIgnoreOkToTestInNotice(t *testing.T) {
	d, _ := trustDispatcher(t, "triggers:\n- repos: [org]\n  join_org_url: https://example.com/join\n  ignore_ok_to_test: true\n")
	scm := newTrustSCM()
	if _, err := d.Handle(context.Background(), instance(scm), byStranger(pullRequest(event.ActionOpened))); err != nil {
		t.Fatal(err)
	}
	if len(scm.comments) != 1 || !strings.Contains(scm.comments[0].Body, "https://example.com/join") || !strings.Contains(scm.comments[0].Body, "ignore_ok_to_test") {
		t.Errorf("comments = %+v, want the join URL and that /ok-to-test is off", scm.comments)
	}
	if len(scm.labelsAdded) != 0 {
		t.Errorf("labels added %v; with ignore_ok_to_test needs-ok-to-test means nothing", scm.labelsAdded)
	}
}

func TestTrustedPullRequests(t *testing.T) {
	tests := []struct {
		name        string
		ev          event.Event
		wantRemoved []string
	}{
		{name: "member's pull request", ev: pullRequest(event.ActionOpened)},
		{name: "stranger's, with ok-to-test", ev: func() event.Event {
			ev := byStranger(pullRequest(event.ActionSynchronize))
			ev.Labels = []string{trust.OkToTest, trust.NeedsOkToTest}
			return ev
		}(), wantRemoved: []string{trust.NeedsOkToTest}},
		{name: "dependabot as a trusted app", ev: func() event.Event {
			ev := pullRequest(event.ActionOpened)
			ev.Author = "dependabot[bot]"
			return ev
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "triggers:\n- repos: [org]\n  trusted_apps: [dependabot]\n")
			scm := newTrustSCM()
			scm.labels = slices.Clone(tc.ev.Labels)
			out, err := d.Handle(context.Background(), instance(scm), tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			if out.Refused != "" || l.calls != 1 {
				t.Errorf("refused %q, %d launches; want the jobs launched", out.Refused, l.calls)
			}
			if diff := cmp.Diff(tc.wantRemoved, scm.labelsRemoved); diff != "" {
				t.Errorf("labels removed (-want +got):\n%s", diff)
			}
			if len(scm.comments) != 0 {
				t.Errorf("commented %+v on a trusted pull request", scm.comments)
			}
		})
	}
}

func TestCommandsNeedATrustedCommenter(t *testing.T) {
	for _, body := range []string{"/test all", "/retest", "/ok-to-test", "/test manual"} {
		t.Run(body, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			out, err := d.Handle(context.Background(), instance(scm), commentBy("mallory", body))
			if err != nil {
				t.Fatal(err)
			}
			if l.calls != 0 || scm.fileReads != 0 {
				t.Errorf("%d launches, %d file reads; want none", l.calls, scm.fileReads)
			}
			if !strings.Contains(out.Refused, "commenter is not trusted") {
				t.Errorf("Refused = %q", out.Refused)
			}
			if len(scm.comments) != 1 || !strings.HasPrefix(scm.comments[0].Body, "@mallory: ") || !strings.Contains(scm.comments[0].Body, "only members of org") {
				t.Errorf("comments = %+v, want one reply to @mallory saying who may", scm.comments)
			}
			if len(scm.labelsAdded) != 0 {
				t.Errorf("a stranger's command added labels %v", scm.labelsAdded)
			}
		})
	}
}

func TestOkToTestFromAMember(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	scm.labels = []string{trust.NeedsOkToTest}
	out, err := d.Handle(context.Background(), instance(scm), commentBy("alice", "/ok-to-test"))
	if err != nil {
		t.Fatal(err)
	}
	if out.Refused != "" || l.calls != 1 {
		t.Fatalf("refused %q, %d launches; want the presubmits started", out.Refused, l.calls)
	}
	if diff := cmp.Diff([]string{"lint", "unit"}, l.jobs); diff != "" {
		t.Errorf("launched (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{trust.OkToTest}, scm.labels); diff != "" {
		t.Errorf("labels after /ok-to-test (-want +got):\n%s", diff)
	}

	// The labelled event fresnel's own label causes starts nothing more.
	out, err = d.Handle(context.Background(), instance(scm), labelled(trust.OkToTest, "fresnel-bot"))
	if err != nil || l.calls != 1 || out.Refused == "" {
		t.Errorf("fresnel's own label: %d launches, refused %q, %v; want no second launch", l.calls, out.Refused, err)
	}

	// A new push by the stranger now runs: the pull request has ok-to-test.
	push := byStranger(pullRequest(event.ActionSynchronize))
	push.Labels = scm.labels
	if out, err := d.Handle(context.Background(), instance(scm), push); err != nil || out.Refused != "" || l.calls != 2 {
		t.Errorf("push after /ok-to-test: refused %q, %d launches, %v; want it launched", out.Refused, l.calls, err)
	}
}

func TestOkToTestWithoutBotUserStartsOnce(t *testing.T) {
	d, l := trustDispatcher(t, "")
	d.BotUser = nil
	scm := newTrustSCM()
	if _, err := d.Handle(context.Background(), instance(scm), commentBy("alice", "/ok-to-test")); err != nil {
		t.Fatal(err)
	}
	ev := labelled(trust.OkToTest, "someone-fresnel-cannot-name")
	if out, err := d.Handle(context.Background(), instance(scm), ev); err != nil || l.calls != 1 {
		t.Errorf("labelled event after fresnel's /ok-to-test: %d launches, refused %q, %v; want 1 launch in all", l.calls, out.Refused, err)
	}
}

func TestOkToTestLabel(t *testing.T) {
	tests := []struct {
		name         string
		plugins      string
		sender       string
		wantLaunch   bool
		wantRemoved  []string
		wantComments int
	}{
		{name: "added by a member", sender: "alice", wantLaunch: true, wantRemoved: []string{trust.NeedsOkToTest}},
		{name: "added by a stranger", sender: "mallory", wantRemoved: []string{trust.OkToTest}, wantComments: 1},
		{name: "ignored", plugins: "triggers:\n- repos: [org]\n  ignore_ok_to_test: true\n", sender: "alice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, tc.plugins)
			scm := newTrustSCM()
			out, err := d.Handle(context.Background(), instance(scm), labelled(trust.OkToTest, tc.sender))
			if err != nil {
				t.Fatal(err)
			}
			if (l.calls == 1) != tc.wantLaunch || (out.Refused == "") != tc.wantLaunch {
				t.Errorf("%d launches, refused %q; want launched %v", l.calls, out.Refused, tc.wantLaunch)
			}
			if diff := cmp.Diff(tc.wantRemoved, scm.labelsRemoved); diff != "" {
				t.Errorf("labels removed (-want +got):\n%s", diff)
			}
			if len(scm.comments) != tc.wantComments {
				t.Errorf("comments %+v, want %d", scm.comments, tc.wantComments)
			}
		})
	}
}

func TestIgnoreOkToTestCommand(t *testing.T) {
	d, l := trustDispatcher(t, "triggers:\n- repos: [org]\n  ignore_ok_to_test: true\n")
	scm := newTrustSCM()
	out, err := d.Handle(context.Background(), instance(scm), commentBy("alice", "/ok-to-test"))
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 0 || !strings.Contains(out.Refused, "ignore_ok_to_test") || len(scm.labelsAdded) != 0 || len(scm.comments) != 1 {
		t.Errorf("%d launches, refused %q, labels %v, comments %d; want nothing but one reply", l.calls, out.Refused, scm.labelsAdded, len(scm.comments))
	}
	if _, err := d.Handle(context.Background(), instance(scm), commentBy("alice", "/test all")); err != nil || l.calls != 1 {
		t.Errorf("/test all by a member with ignore_ok_to_test: %d launches, %v; want 1", l.calls, err)
	}
}

func TestTriggerNotEnabled(t *testing.T) {
	d, l := trustDispatcher(t, "plugins:\n  org: [lgtm]\n  other: [trigger]\n")
	scm := newTrustSCM()
	out, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionOpened))
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 0 || !strings.Contains(out.Refused, "trigger plugin is not enabled for org/repo") {
		t.Errorf("%d launches, refused %q; want none, saying why", l.calls, out.Refused)
	}
	if scm.memberCalls != 0 || len(scm.comments) != 0 {
		t.Errorf("%d membership calls, %d comments for a repo that runs nothing; want none", scm.memberCalls, len(scm.comments))
	}
	out, err = d.Handle(context.Background(), instance(scm), commentBy("alice", "thanks!"))
	if err != nil || out.Refused != "" {
		t.Errorf("a plain comment: refused %q, %v; want nothing refused, as it asked for nothing", out.Refused, err)
	}
}

func TestTrustErrorsAreErrors(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	scm.memberErr = errors.New("502 Bad Gateway")
	_, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionOpened))
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("Handle = %v, want the SCM's error (answered 5xx, redelivered)", err)
	}
	if l.calls != 0 || len(scm.comments) != 0 {
		t.Errorf("%d launches, %d comments after a failed trust check; want none", l.calls, len(scm.comments))
	}
}

func TestNoTrustCheckerRefuses(t *testing.T) {
	d, l := trustDispatcher(t, "")
	out, err := d.Handle(context.Background(), instance(noTrust{}), pullRequest(event.ActionOpened))
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 0 || !strings.Contains(out.Refused, "cannot check who is trusted") {
		t.Errorf("%d launches, refused %q; want none: fail closed", l.calls, out.Refused)
	}
}

// noTrust is an SCM that cannot answer membership questions.
type noTrust struct{}

func (noTrust) Verify(context.Context, *http.Request, []byte) error { return nil }

func (noTrust) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func TestPushesNeedNoTrust(t *testing.T) {
	cfg, err := triggers.Parse([]byte(`
postsubmits:
  org/repo:
  - name: publish
    spec: {containers: [{image: x, command: ["true"]}]}
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := &fakeLauncher{}
	d := &Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: l}
	scm := newTrustSCM()
	ev := event.Event{Provider: "github", Instance: "public", Kind: event.KindPush, Repo: repo, Ref: "refs/heads/main",
		BaseRef: "main", HeadSHA: "he4d", Sender: "mallory", ChangedFiles: []string{"a.go"}}
	if _, err := d.Handle(context.Background(), instance(scm), ev); err != nil {
		t.Fatal(err)
	}
	if l.calls != 1 || scm.memberCalls != 0 {
		t.Errorf("%d launches, %d membership calls; want the postsubmit launched without asking", l.calls, scm.memberCalls)
	}
}

// commentOnlySCM answers membership and takes comments, but has no labels.
type commentOnlySCM struct{ *trustSCM }

func (s commentOnlySCM) IsOrgMember(ctx context.Context, org, user string) (bool, error) {
	return s.trustSCM.IsOrgMember(ctx, org, user)
}

func (s commentOnlySCM) IsCollaborator(ctx context.Context, repo, user string) (bool, error) {
	return s.trustSCM.IsCollaborator(ctx, repo, user)
}

func (s commentOnlySCM) Comment(ctx context.Context, target event.Target, body string) (string, error) {
	return s.trustSCM.Comment(ctx, target, body)
}

func TestUntrustedPullRequestOnAnSCMWithoutLabels(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	in := instance(struct {
		providers.Intake
		providers.TrustChecker
		providers.Commenter
	}{scm.fakeSCM, commentOnlySCM{scm}, commentOnlySCM{scm}})
	for _, action := range []event.Action{event.ActionOpened, event.ActionSynchronize} {
		out, err := d.Handle(context.Background(), in, byStranger(pullRequest(action)))
		if err != nil || l.calls != 0 || out.Refused == "" {
			t.Fatalf("%s: refused %q, %d launches, %v; want a refusal", action, out.Refused, l.calls, err)
		}
	}
	if len(scm.labelsAdded) != 0 {
		t.Errorf("labels added %v on an SCM without labels", scm.labelsAdded)
	}
	if len(scm.comments) != 1 || strings.Contains(scm.comments[0].Body, "label") {
		t.Errorf("comments = %+v, want one notice standing in for the label, naming no label", scm.comments)
	}
}
