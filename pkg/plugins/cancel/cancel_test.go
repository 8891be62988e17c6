package cancel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

// runs is a RunCanceller over named unfinished runs per job.
type runs struct {
	unfinished map[string][]string
	calls      []string
	err        error
}

func (r *runs) CancelPullRequestRuns(_ context.Context, ev event.Event, job, reason string) ([]string, error) {
	r.calls = append(r.calls, job+"|"+reason)
	var names []string
	for j, n := range r.unfinished {
		if job == "" || j == job {
			names = append(names, n...)
			delete(r.unfinished, j)
		}
	}
	return names, r.err
}

func TestCancel(t *testing.T) {
	cases := []struct {
		name      string
		user      string
		body      string
		err       error
		want      []string
		wantCalls []string
	}{
		{name: "one job", user: "rev", body: "/cancel e2e", want: []string{"cancelled e2e-1a2b"}, wantCalls: []string{"e2e|cancelled by /cancel from @rev"}},
		{name: "the author cancels all", user: "alice", body: "/cancel", want: []string{"cancelled e2e-1a2b"}, wantCalls: []string{"|cancelled by /cancel from @alice"}},
		{name: "nothing to cancel", user: "rev", body: "/cancel lint", want: []string{"error: there is no unfinished run of lint to cancel."}, wantCalls: []string{"lint|cancelled by /cancel from @rev"}},
		{name: "stranger", user: "eve", body: "/cancel", want: []string{"error: only collaborators and members of acme may cancel runs of a pull request they did not open."}},
		{name: "cluster error", user: "rev", body: "/cancel", err: errors.New("apiserver down"), want: []string{"error: cancel: apiserver down"}, wantCalls: []string{"|cancelled by /cancel from @rev"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New()
			scm.Collaborators = []string{"rev"}
			r := &runs{unfinished: map[string][]string{"e2e": {"e2e-1a2b"}}, err: tc.err}
			got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("alice", tc.user, tc.body), pluginstest.Enable("cancel"), r))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.calls); diff != "" {
				t.Errorf("cancel calls (-want +got):\n%s", diff)
			}
		})
	}
}
