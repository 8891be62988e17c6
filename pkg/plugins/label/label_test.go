package label_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

func TestLabel(t *testing.T) {
	cases := []struct {
		name       string
		labels     []string
		user       string
		body       string
		want       []string
		wantLabels []string
	}{
		{name: "kind", body: "/kind bug", want: []string{"added kind/bug"}, wantLabels: []string{"kind/bug"}},
		{name: "several at once, prefix repeated", body: "/area docs area/api", want: []string{"added area/docs, area/api"}, wantLabels: []string{"area/docs", "area/api"}},
		{name: "priority and triage in one comment", body: "/priority important-soon\n/triage accepted",
			want: []string{"added priority/important-soon", "added triage/accepted"}, wantLabels: []string{"priority/important-soon", "triage/accepted"}},
		{name: "remove-kind", labels: []string{"kind/bug"}, body: "/remove-kind bug", want: []string{"removed kind/bug"}},
		{name: "kind without a name is not a command", body: "/kind"},
		{name: "additional label", body: "/label tide/merge-method-squash", want: []string{"added tide/merge-method-squash"}, wantLabels: []string{"tide/merge-method-squash"}},
		{name: "label not listed", body: "/label whatever", want: []string{"error: the label whatever is not one /label may set: plugins.yaml's label.additional_labels does not list it."}},
		{name: "remove-label", labels: []string{"tide/merge-method-squash"}, body: "/remove-label tide/merge-method-squash", want: []string{"removed tide/merge-method-squash"}},
		{name: "restricted label refused", body: "/priority critical-urgent", user: "eve",
			want: []string{"error: the label priority/critical-urgent is restricted; only @lead may change it."}},
		{name: "restricted label by an allowed user", body: "/priority critical-urgent", user: "lead",
			want: []string{"added priority/critical-urgent"}, wantLabels: []string{"priority/critical-urgent"}},
		{name: "a refused label stops the whole line", body: "/priority critical-urgent low", user: "eve",
			want: []string{"error: the label priority/critical-urgent is restricted; only @lead may change it."}},
	}
	file := pluginstest.Enable("label")
	file.Label = triggers.LabelSettings{
		AdditionalLabels: []string{"tide/merge-method-squash"},
		RestrictedLabels: map[string][]triggers.RestrictedLabel{"acme": {{Label: "priority/critical-urgent", AllowedUsers: []string{"lead"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			user := tc.user
			if user == "" {
				user = "bob"
			}
			got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("alice", user, tc.body), file, nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLabels, scm.State().Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}
