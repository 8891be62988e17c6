package hold_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

func TestHold(t *testing.T) {
	cases := []struct {
		name       string
		labels     []string
		body       string
		enabled    []string
		want       []string
		wantLabels []string
	}{
		{name: "hold", body: "/hold", enabled: []string{"hold"}, want: []string{"added do-not-merge/hold"}, wantLabels: []string{"do-not-merge/hold"}},
		{name: "hold twice", labels: []string{"do-not-merge/hold"}, body: "/hold", enabled: []string{"hold"}, want: []string{"already on hold"}, wantLabels: []string{"do-not-merge/hold"}},
		{name: "hold cancel", labels: []string{"do-not-merge/hold"}, body: "/hold cancel", enabled: []string{"hold"}, want: []string{"removed do-not-merge/hold"}},
		{name: "unhold", labels: []string{"do-not-merge/hold"}, body: "/unhold", enabled: []string{"hold"}, want: []string{"removed do-not-merge/hold"}},
		{name: "hold then cancel in one comment", body: "/hold\r\n/lh-hold cancel", enabled: []string{"hold"},
			want: []string{"added do-not-merge/hold", "removed do-not-merge/hold"}},
		{name: "other words after hold are not a command", body: "/hold on a second", enabled: []string{"hold"}},
		{name: "disabled", body: "/hold", enabled: []string{"lgtm"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("alice", "anyone", tc.body), pluginstest.Enable(tc.enabled...), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLabels, scm.State().Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHoldWithoutLabelsIsAFailingStatus(t *testing.T) {
	scm := pluginstest.New()
	bare := pluginstest.Bare{Commenter: scm, StatusReporter: scm, TrustChecker: scm, PullRequestReader: scm}
	ev := pluginstest.CommentEvent("alice", "anyone", "/hold")
	ev.HeadSHA = "" // comment events on Bitbucket carry no head commit
	scm.PR.HeadSHA = "feedface"
	got := pluginstest.Outcomes(pluginstest.Run(bare, ev, pluginstest.Enable("hold"), nil))
	if diff := cmp.Diff([]string{"added do-not-merge/hold"}, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	st := scm.State().Statuses
	if len(st) != 1 || st[0].Context != "do-not-merge/hold" || st[0].State != "failure" {
		t.Errorf("statuses = %+v, want one failing do-not-merge/hold", st)
	}
}
