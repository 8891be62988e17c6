package lifecycle_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

func TestLifecycle(t *testing.T) {
	cases := []struct {
		name       string
		labels     []string
		closed     bool
		user       string
		body       string
		want       []string
		wantLabels []string
		wantClosed bool
	}{
		{name: "frozen", body: "/lifecycle frozen", want: []string{"set lifecycle/frozen"}, wantLabels: []string{"lifecycle/frozen"}},
		{name: "rotten replaces stale", labels: []string{"lifecycle/stale", "kind/bug"}, body: "/lifecycle rotten",
			want: []string{"set lifecycle/rotten"}, wantLabels: []string{"kind/bug", "lifecycle/rotten"}},
		{name: "remove-lifecycle", labels: []string{"lifecycle/stale"}, body: "/remove-lifecycle stale", want: []string{"removed lifecycle/stale"}},
		{name: "unknown state is not a command", body: "/lifecycle dead"},
		{name: "author closes", user: "alice", body: "/close", want: []string{"closed"}, wantClosed: true},
		{name: "collaborator reopens", closed: true, user: "rev", body: "/reopen", want: []string{"reopened"}},
		{name: "stranger cannot close", user: "eve", body: "/close",
			want: []string{"error: only collaborators and members of acme may close or reopen a pull request they did not open."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			scm.Collaborators = []string{"rev"}
			if tc.closed {
				_ = scm.ClosePullRequest(t.Context(), event.Target{})
			}
			user := tc.user
			if user == "" {
				user = "bob"
			}
			ev := pluginstest.CommentEvent("alice", user, tc.body)
			got := pluginstest.Outcomes(pluginstest.Run(scm, ev, pluginstest.Enable("lifecycle"), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			st := scm.State()
			if diff := cmp.Diff(tc.wantLabels, st.Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if st.Closed != tc.wantClosed {
				t.Errorf("closed = %v, want %v", st.Closed, tc.wantClosed)
			}
		})
	}
}
