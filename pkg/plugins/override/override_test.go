package override_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/providers"
)

func TestOverride(t *testing.T) {
	cases := []struct {
		name         string
		user         string
		body         string
		want         []string
		wantStatuses []providers.Status
	}{
		{name: "admin overrides one", user: "boss", body: "/override ci/e2e", want: []string{"overrode ci/e2e"},
			wantStatuses: []providers.Status{{State: "success", Context: "ci/e2e", Description: "Overridden by @boss"}}},
		{name: "several, with spaces", user: "boss", body: "/override unit tests, lint", want: []string{"overrode unit tests, lint"},
			wantStatuses: []providers.Status{
				{State: "success", Context: "unit tests", Description: "Overridden by @boss"},
				{State: "success", Context: "lint", Description: "Overridden by @boss"},
			}},
		{name: "a collaborator is not enough", user: "rev", body: "/override ci/e2e", want: []string{"error: only admins of acme/widgets may override statuses."}},
		{name: "no context is not a command", user: "boss", body: "/override"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New()
			scm.Admins, scm.Collaborators = []string{"boss"}, []string{"boss", "rev"}
			got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("alice", tc.user, tc.body), pluginstest.Enable("override"), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantStatuses, scm.State().Statuses); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}
