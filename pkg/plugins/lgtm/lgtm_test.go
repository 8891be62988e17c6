package lgtm_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/lgtm"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

func TestLgtm(t *testing.T) {
	cases := []struct {
		name         string
		labels       []string
		ev           event.Event
		want         []string
		wantLabels   []string
		wantComments []string
	}{
		{name: "a collaborator's /lgtm adds the label", ev: pluginstest.CommentEvent("alice", "rev", "/lgtm"),
			want: []string{"added lgtm"}, wantLabels: []string{"lgtm"}},
		{name: "the Lighthouse prefix works", ev: pluginstest.CommentEvent("alice", "rev", "/lh-lgtm"),
			want: []string{"added lgtm"}, wantLabels: []string{"lgtm"}},
		{name: "the author cannot lgtm", ev: pluginstest.CommentEvent("alice", "alice", "/lgtm"),
			want: []string{"error: you cannot LGTM your own pull request."}, wantComments: []string{"@alice: `/lgtm`: you cannot LGTM your own pull request."}},
		{name: "a stranger cannot lgtm", ev: pluginstest.CommentEvent("alice", "eve", "/lgtm"),
			want:         []string{"error: only collaborators and members of acme may LGTM a pull request."},
			wantComments: []string{"@eve: `/lgtm`: only collaborators and members of acme may LGTM a pull request."}},
		{name: "/lgtm cancel removes it", labels: []string{"lgtm", "kind/bug"}, ev: pluginstest.CommentEvent("alice", "rev", "/lgtm cancel"),
			want: []string{"removed lgtm"}, wantLabels: []string{"kind/bug"}},
		{name: "the author may cancel", labels: []string{"lgtm"}, ev: pluginstest.CommentEvent("alice", "alice", "/remove-lgtm"),
			want: []string{"removed lgtm"}},
		{name: "an edited comment does nothing", ev: edited(pluginstest.CommentEvent("alice", "rev", "/lgtm"))},
		{name: "a new push removes it", labels: []string{"lgtm"}, ev: withLabels(pluginstest.PullRequestEvent(event.ActionSynchronize, "alice", "alice"), "lgtm"),
			want: []string{"removed lgtm: new commits"}, wantComments: []string{"New changes are detected. The lgtm label has been removed."}},
		{name: "a push without lgtm changes nothing", ev: pluginstest.PullRequestEvent(event.ActionSynchronize, "alice", "alice")},
		{name: "a label added by hand by a stranger is removed", labels: []string{"lgtm"}, ev: labeled("eve"),
			want:         []string{"removed lgtm label added by @eve"},
			wantComments: []string{"@eve: the lgtm label can only be set with /lgtm by a collaborator who is not the author; it has been removed."}},
		{name: "a label added by the author is removed", labels: []string{"lgtm"}, ev: labeled("alice"),
			want:         []string{"removed lgtm label added by @alice"},
			wantComments: []string{"@alice: the lgtm label can only be set with /lgtm by a collaborator who is not the author; it has been removed."}},
		{name: "a label added by a collaborator stays", labels: []string{"lgtm"}, ev: labeled("rev"), wantLabels: []string{"lgtm"}},
		{name: "added among others in one event (GitLab), by a stranger: removed", labels: []string{"kind/bug", "lgtm"}, ev: labeledWith("eve", "kind/bug", "lgtm"),
			want:         []string{"removed lgtm label added by @eve"},
			wantLabels:   []string{"kind/bug"},
			wantComments: []string{"@eve: the lgtm label can only be set with /lgtm by a collaborator who is not the author; it has been removed."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			scm.Collaborators = []string{"rev", "alice"}
			got := pluginstest.Outcomes(pluginstest.Run(scm, tc.ev, pluginstest.Enable("lgtm"), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			st := scm.State()
			if diff := cmp.Diff(tc.wantLabels, st.Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantComments, st.Comments); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLgtmVotesWhereTheSCMVotes(t *testing.T) {
	scm := pluginstest.New()
	scm.Collaborators = []string{"rev"}
	file := pluginstest.Enable("lgtm")
	file.Lgtm = []triggers.LgtmSettings{{Repos: []string{"acme/widgets"}, VoteLabel: "Looks-Good"}}
	got := pluginstest.Outcomes(pluginstest.Run(pluginstest.Voting{SCM: scm}, pluginstest.CommentEvent("alice", "rev", "/lgtm\n/lgtm cancel"), file, nil))
	if diff := cmp.Diff([]string{"voted Looks-Good +1", "voted Looks-Good +0"}, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	want := []pluginstest.Vote{{Label: "Looks-Good", Value: 1, Message: "LGTM by @rev"}, {Label: "Looks-Good", Value: 0, Message: "LGTM cancelled by @rev"}}
	if diff := cmp.Diff(want, scm.State().Votes); diff != "" {
		t.Errorf("votes (-want +got):\n%s", diff)
	}
	if len(scm.State().Labels) != 0 {
		t.Errorf("a voting SCM got labels: %v", scm.State().Labels)
	}
}

func edited(ev event.Event) event.Event { ev.Action = event.ActionEdited; return ev }

func withLabels(ev event.Event, labels ...string) event.Event { ev.Labels = labels; return ev }

func labeled(sender string) event.Event {
	ev := withLabels(pluginstest.PullRequestEvent(event.ActionLabeled, "alice", sender), "lgtm")
	ev.Label = lgtm.Label
	return ev
}

// labeledWith is a labeled event that added several labels at once, as
// GitLab reports them.
func labeledWith(sender string, added ...string) event.Event {
	ev := withLabels(pluginstest.PullRequestEvent(event.ActionLabeled, "alice", sender), added...)
	ev.Label, ev.LabelsAdded = added[0], added
	return ev
}

// GitLab notes do not name the merge request's author: it is read.
func TestLgtmReadsTheAuthor(t *testing.T) {
	scm := pluginstest.New()
	scm.Collaborators = []string{"alice"}
	scm.PR = event.Event{HeadSHA: "feedface", Author: "alice"}
	got := pluginstest.Outcomes(pluginstest.Run(scm, pluginstest.CommentEvent("", "alice", "/lgtm"), pluginstest.Enable("lgtm"), nil))
	if diff := cmp.Diff([]string{"error: you cannot LGTM your own pull request."}, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestReviewActsAsLgtm(t *testing.T) {
	cases := []struct {
		name       string
		acts       bool
		reviewer   string
		state      string
		body       string
		labels     []string
		want       []string
		wantLabels []string
	}{
		{name: "approval adds lgtm", acts: true, reviewer: "rev", state: event.ReviewApproved, want: []string{"added lgtm (review)"}, wantLabels: []string{"lgtm"}},
		{name: "changes requested remove it", acts: true, reviewer: "rev", state: event.ReviewChangesRequested, labels: []string{"lgtm"}, want: []string{"removed lgtm (review)"}},
		{name: "a comment review changes nothing", acts: true, reviewer: "rev", state: event.ReviewCommented, labels: []string{"lgtm"}, wantLabels: []string{"lgtm"}},
		{name: "a stranger's approval is refused", acts: true, reviewer: "eve", state: event.ReviewApproved,
			want: []string{"error: only collaborators and members of acme may LGTM a pull request."}},
		{name: "without the setting, reviews are reviews", reviewer: "rev", state: event.ReviewApproved},
		{name: "a review's body is a comment", reviewer: "rev", state: event.ReviewCommented, body: "/lgtm", want: []string{"added lgtm"}, wantLabels: []string{"lgtm"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.New(tc.labels...)
			scm.Collaborators = []string{"rev"}
			file := pluginstest.Enable("lgtm")
			file.Lgtm = []triggers.LgtmSettings{{Repos: []string{"acme"}, ReviewActsAsLgtm: tc.acts}}
			ev := pluginstest.CommentEvent("alice", tc.reviewer, tc.body)
			ev.Kind, ev.Action, ev.Review = event.KindReview, event.ActionSubmitted, tc.state
			got := pluginstest.Outcomes(pluginstest.Run(scm, ev, file, nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLabels, scm.State().Labels, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}
