package assign_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

func TestAssign(t *testing.T) {
	cases := []struct {
		name          string
		body          string
		want          []string
		wantAssignees []string
		wantReviewers []string
	}{
		{name: "assign self", body: "/assign", want: []string{"assigned bob"}, wantAssignees: []string{"bob"}},
		{name: "assign others", body: "/assign @carol dave", want: []string{"assigned carol, dave"}, wantAssignees: []string{"carol", "dave"}},
		{name: "assign then unassign", body: "/assign @carol @dave\n/unassign @carol", want: []string{"assigned carol, dave", "unassigned carol"}, wantAssignees: []string{"dave"}},
		{name: "cc", body: "/cc @carol", want: []string{"requested review from carol"}, wantReviewers: []string{"carol"}},
		{name: "cc and uncc self", body: "/cc\n/uncc", want: []string{"requested review from bob", "withdrew review request of bob"}},
		{name: "not a login", body: "/assign carol!"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New()
			got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("alice", "bob", tc.body), pluginstest.Enable("assign"), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			st := scm.State()
			if diff := cmp.Diff(tc.wantAssignees, st.Assignees, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("assignees (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantReviewers, st.Reviewers, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("reviewers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssignWhereTheSCMCannot(t *testing.T) {
	scm := pluginstest.New()
	bare := pluginstest.Bare{Commenter: scm, StatusReporter: scm, TrustChecker: scm, PullRequestReader: scm}
	got := pluginstest.Outcomes(pluginstest.Run(bare, pluginstest.CommentEvent("alice", "bob", "/assign"), pluginstest.Enable("assign"), nil))
	want := []string{"error: github pull requests have no assignees fresnel can change."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"@bob: `/assign`: github pull requests have no assignees fresnel can change."}, scm.State().Comments); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
}
