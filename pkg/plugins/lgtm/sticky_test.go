package lgtm_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/lgtm"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

// A push by an author in sticky_lgtm_team keeps the lgtm, as in Prow;
// anyone else's push, or a team that cannot be read, removes it.
func TestStickyLgtmTeam(t *testing.T) {
	cases := []struct {
		name      string
		team      string
		members   map[string][]string
		teamFails bool
		want      []string
		wantLabel bool
	}{
		{name: "author in the team keeps it", team: "core", members: map[string][]string{"acme/core": {"alice"}},
			want: []string{"kept lgtm: the author is in sticky_lgtm_team"}, wantLabel: true},
		{name: "a team of another org, named in full", team: "partners/core", members: map[string][]string{"partners/core": {"alice"}},
			want: []string{"kept lgtm: the author is in sticky_lgtm_team"}, wantLabel: true},
		{name: "author not in the team loses it", team: "core", members: map[string][]string{"acme/core": {"bob"}},
			want: []string{"removed lgtm: new commits"}},
		{name: "no sticky team loses it", members: map[string][]string{"acme/core": {"alice"}},
			want: []string{"removed lgtm: new commits"}},
		{name: "a team that cannot be read loses it", team: "core", members: map[string][]string{"acme/core": {"alice"}}, teamFails: true,
			want: []string{"removed lgtm: new commits", "error: lgtm: sticky_lgtm_team: pluginstest: IsTeamMember: boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.NewReview(lgtm.Label)
			scm.Teams = tc.members
			if tc.teamFails {
				scm.Fail = map[string]error{"IsTeamMember": errors.New("boom")}
			}
			file := pluginstest.Enable("lgtm")
			file.Lgtm = []triggers.LgtmSettings{{Repos: []string{"acme/widgets"}, StickyLgtmTeam: tc.team}}
			ev := pluginstest.PullRequestEvent(event.ActionSynchronize, "alice", "alice")
			ev.Labels = []string{lgtm.Label}
			got := pluginstest.Outcomes(pluginstest.Run(scm, ev, file, nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if has := slices.Contains(scm.State().Labels, lgtm.Label); has != tc.wantLabel {
				t.Errorf("lgtm label present: %t, want %t", has, tc.wantLabel)
			}
		})
	}
}
