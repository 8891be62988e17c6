package dispatch

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/triggers"
)

// An untrusted commenter may /test and /retest a pull request that is
// trusted, as in Prow, so a contributor can rerun their own tested pull
// request; /ok-to-test stays with trusted users.
func TestUntrustedCommenterOnATrustedPullRequest(t *testing.T) {
	tests := []struct {
		name        string
		author      string
		labels      []string
		body        string
		wantJobs    []string
		wantRefused bool
	}{
		{name: "a member's pull request", author: "alice", body: "/test manual", wantJobs: []string{"manual"}},
		{name: "own pull request with ok-to-test", author: "mallory", labels: []string{trust.OkToTest}, body: "/test manual", wantJobs: []string{"manual"}},
		{name: "own untrusted pull request", author: "mallory", body: "/test manual", wantRefused: true},
		{name: "/ok-to-test on a member's pull request", author: "alice", body: "/ok-to-test", wantRefused: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			scm.labels = slices.Clone(tc.labels)
			ev := commentBy("mallory", tc.body)
			ev.Author = tc.author
			out, err := d.Handle(context.Background(), instance(scm), ev)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantJobs, l.jobs); diff != "" {
				t.Errorf("launched (-want +got):\n%s", diff)
			}
			if refused := out.Refused != ""; refused != tc.wantRefused {
				t.Errorf("refused %q, want refused %v", out.Refused, tc.wantRefused)
			}
			if tc.wantRefused && (len(scm.comments) != 1 || !strings.HasPrefix(scm.comments[0].Body, "@mallory: ")) {
				t.Errorf("comments = %+v, want one reply to @mallory", scm.comments)
			}
		})
	}
}

func TestOkToTestCancel(t *testing.T) {
	tests := []struct {
		name       string
		commenter  string
		wantLabels []string
		wantReply  bool
	}{
		{name: "a member takes ok-to-test back", commenter: "alice", wantLabels: []string{trust.NeedsOkToTest}},
		{name: "a stranger may not", commenter: "mallory", wantLabels: []string{trust.OkToTest}, wantReply: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			scm.labels = []string{trust.OkToTest}
			out, err := d.Handle(context.Background(), instance(scm), commentBy(tc.commenter, "/ok-to-test cancel"))
			if err != nil {
				t.Fatal(err)
			}
			if l.calls != 0 || out.Refused == "" {
				t.Errorf("%d launches, refused %q; /ok-to-test cancel starts nothing", l.calls, out.Refused)
			}
			if diff := cmp.Diff(tc.wantLabels, scm.labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if got := len(scm.comments) == 1; got != tc.wantReply {
				t.Errorf("comments = %+v, want a reply: %v", scm.comments, tc.wantReply)
			}
		})
	}
}

// A job's own trigger is a command like /test: it completes the pull
// request and needs a trusted commenter.
func TestCustomTriggerIsACommand(t *testing.T) {
	cfg, err := triggers.Parse([]byte(`
presubmits:
  org/repo:
  - name: e2e
    trigger: '(?m)^/build( please)?\s*$'
    rerun_command: /build
    spec: {containers: [{image: x, command: ["true"]}]}
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		commenter string
		wantJobs  []string
	}{{"alice", []string{"e2e"}}, {"mallory", nil}} {
		t.Run(tc.commenter, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			d.Config = func() *triggers.Config { return cfg }
			scm := newTrustSCM()
			ev := commentBy(tc.commenter, "/build please")
			out, err := d.Handle(context.Background(), instance(scm), ev)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantJobs, l.jobs); diff != "" {
				t.Errorf("launched (-want +got):\n%s (refused %q)", diff, out.Refused)
			}
			if tc.wantJobs != nil && l.event.HeadSHA == "" {
				t.Error("the pull request was not read before launching")
			}
		})
	}
}

// /test naming no job gets the list of what can run, as a reply.
func TestHelpReplyIsPosted(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	out, err := d.Handle(context.Background(), instance(scm), commentBy("alice", "/test nosuchjob"))
	if err != nil {
		t.Fatal(err)
	}
	if l.calls != 0 {
		t.Errorf("launched %v", l.jobs)
	}
	if len(scm.comments) != 1 || !strings.HasPrefix(scm.comments[0].Body, "@alice: ") || !strings.Contains(scm.comments[0].Body, "/test manual") {
		t.Errorf("comments = %+v, want one reply to @alice listing /test manual", scm.comments)
	}
	if !slices.Contains(out.Actions, "replied with the commands that can run") {
		t.Errorf("actions = %v", out.Actions)
	}
}

// Pull request events that start nothing whoever sent them ask no one
// and tell no one, as in Prow: an untrusted title edit or label gets no
// notice.
func TestEventsThatStartNothingAskNothing(t *testing.T) {
	edit := byStranger(pullRequest(event.ActionEdited))
	label := byStranger(pullRequest(event.ActionLabeled))
	label.Label = "kind/bug"
	baseMoved := byStranger(pullRequest(event.ActionEdited))
	baseMoved.PreviousBaseRef = "release-1.0"
	for _, tc := range []struct {
		name       string
		ev         event.Event
		wantNotice bool
	}{
		{name: "title edit", ev: edit},
		{name: "other label", ev: label},
		{name: "base branch moved", ev: baseMoved, wantNotice: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			if _, err := d.Handle(context.Background(), instance(editingSCM{scm}), tc.ev); err != nil {
				t.Fatal(err)
			}
			if l.calls != 0 {
				t.Errorf("launched %v for an untrusted pull request", l.jobs)
			}
			if got := len(scm.comments) == 1; got != tc.wantNotice {
				t.Errorf("comments = %+v, want a notice: %v", scm.comments, tc.wantNotice)
			}
			if !tc.wantNotice && scm.memberCalls != 0 {
				t.Errorf("%d membership calls for an event that starts nothing", scm.memberCalls)
			}
		})
	}
}
