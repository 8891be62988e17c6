package lgtm_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/lgtm"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

const (
	lgtmHead = "1111111111111111111111111111111111111111" // the head /lgtm was given on
	pushHead = "2222222222222222222222222222222222222222" // the head a push brings
	treeA    = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	treeB    = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	removed  = "New changes are detected. The lgtm label has been removed."
)

// record is a tree record as it reads on the SCM, written by author.
func record(author, tree string) event.Comment {
	return event.Comment{Author: author, Body: "The lgtm label has been added.\n<!-- fresnel:lgtm-tree " + tree + " -->"}
}

// noTrees is an SCM with comments and labels but without TreeReader.
type noTrees struct {
	providers.Commenter
	providers.Labeler
	providers.TrustChecker
	providers.PullRequestReader
	providers.CommentEditor
}

func storeTreeHash(on bool) *triggers.PluginsFile {
	file := pluginstest.Enable("lgtm")
	file.Lgtm = []triggers.LgtmSettings{{Repos: []string{"acme/widgets"}, StoreTreeHash: on}}
	return file
}

func push(head string) event.Event {
	ev := withLabels(pluginstest.PullRequestEvent(event.ActionSynchronize, "alice", "alice"), lgtm.Label)
	ev.HeadSHA = head
	return ev
}

func TestPushKeepsLgtmWhenTheTreeIsUnchanged(t *testing.T) {
	cases := []struct {
		name      string
		off       bool
		noRole    bool
		records   []event.Comment
		pushTree  string
		treeFails bool
		want      []string
		wantLabel bool
	}{
		{name: "tree unchanged keeps lgtm", records: []event.Comment{record("fresnel-bot", treeA)}, pushTree: treeA,
			want: []string{"kept lgtm: tree unchanged"}, wantLabel: true},
		{name: "tree changed removes it", records: []event.Comment{record("fresnel-bot", treeA)}, pushTree: treeB,
			want: []string{"removed lgtm: new commits"}},
		{name: "no recorded hash removes it", pushTree: treeA, want: []string{"removed lgtm: new commits"}},
		{name: "setting off removes it", off: true, records: []event.Comment{record("fresnel-bot", treeA)}, pushTree: treeA,
			want: []string{"removed lgtm: new commits"}},
		{name: "SCM without the role removes it", noRole: true, records: []event.Comment{record("fresnel-bot", treeA)}, pushTree: treeA,
			want: []string{"removed lgtm: new commits"}},
		{name: "the newest record counts", records: []event.Comment{record("fresnel-bot", treeA), record("fresnel-bot", treeB)}, pushTree: treeA,
			want: []string{"removed lgtm: new commits"}},
		{name: "a record written by the author does not count", records: []event.Comment{record("alice", treeA)}, pushTree: treeA,
			want: []string{"removed lgtm: new commits"}},
		{name: "a stranger's newer record is passed over", records: []event.Comment{record("fresnel-bot", treeA), record("eve", treeB)}, pushTree: treeA,
			want: []string{"kept lgtm: tree unchanged"}, wantLabel: true},
		{name: "a marker with no hash does not count", records: []event.Comment{{Author: "fresnel-bot", Body: "<!-- fresnel:lgtm-tree  -->"}}, pushTree: treeA,
			want: []string{"removed lgtm: new commits"}},
		{name: "a tree that cannot be read removes it", records: []event.Comment{record("fresnel-bot", treeA)}, pushTree: treeA, treeFails: true,
			want: []string{"removed lgtm: new commits", "error: lgtm: tree of " + pushHead + ": pluginstest: TreeHash: boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.NewReview(lgtm.Label)
			scm.Collaborators = []string{"rev", "alice", "fresnel-bot"}
			scm.Trees = map[string]string{pushHead: tc.pushTree}
			if tc.treeFails {
				scm.Fail = map[string]error{"TreeHash": errors.New("boom")}
			}
			for _, c := range tc.records {
				scm.AddComment(c.Author, c.Body)
			}
			before := len(scm.Comments())
			var on any = scm
			if tc.noRole {
				on = noTrees{scm, scm, scm, scm, scm}
			}
			got := pluginstest.Outcomes(pluginstest.Run(on, push(pushHead), storeTreeHash(!tc.off), nil))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if has := slices.Contains(scm.State().Labels, lgtm.Label); has != tc.wantLabel {
				t.Errorf("lgtm label present: %t, want %t", has, tc.wantLabel)
			}
			posted := bodies(scm.Comments()[before:])
			if tc.wantLabel && len(posted) != 0 {
				t.Errorf("kept the lgtm but commented %q", posted)
			}
			if !tc.wantLabel && (len(posted) == 0 || posted[0] != removed) {
				t.Errorf("removed the lgtm but commented %q, want %q first", posted, removed)
			}
		})
	}
}

func bodies(comments []event.Comment) []string {
	var out []string
	for _, c := range comments {
		out = append(out, c.Body)
	}
	return out
}

// The record /lgtm writes is the one a push finds: lgtm on one commit,
// then pushes of commits with the same tree and with another.
func TestLgtmRecordsTheTreeAPushFinds(t *testing.T) {
	scm := pluginstest.NewReview()
	scm.Collaborators = []string{"rev", "fresnel-bot"}
	scm.PR = event.Event{HeadSHA: lgtmHead, Author: "alice"}
	scm.Trees = map[string]string{lgtmHead: treeA, pushHead: treeA, "3333333333333333333333333333333333333333": treeB}
	file := storeTreeHash(true)
	steps := []struct {
		ev   event.Event
		want []string
	}{
		{ev: fromGitHub(pluginstest.CommentEvent("alice", "rev", "/lgtm")), want: []string{"added lgtm"}},
		{ev: push(pushHead), want: []string{"kept lgtm: tree unchanged"}},
		{ev: push("3333333333333333333333333333333333333333"), want: []string{"removed lgtm: new commits"}},
	}
	for i, st := range steps {
		if got := pluginstest.Outcomes(pluginstest.Run(scm, st.ev, file, nil)); !cmp.Equal(st.want, got) {
			t.Fatalf("step %d: outcomes %q, want %q", i, got, st.want)
		}
	}
	posted := bodies(scm.Comments())
	if len(posted) != 2 || !strings.Contains(posted[0], treeA) || posted[1] != removed {
		t.Errorf("comments %q, want the record of %s, then the removal", posted, treeA)
	}
}

// fromGitHub drops the head commit, as GitHub's issue_comment payload
// does not carry it.
func fromGitHub(ev event.Event) event.Event { ev.HeadSHA = ""; return ev }

func TestLgtmRecordsOnlyWhereItCanBeFound(t *testing.T) {
	cases := []struct {
		name      string
		off       bool
		noRole    bool
		wantCalls map[string]int
	}{
		{name: "store_tree_hash reads the head's tree and records it", wantCalls: map[string]int{"CompletePullRequest": 1, "TreeHash": 1, "AddLabel": 1, "Comment": 1}},
		{name: "without the setting only the label is added", off: true, wantCalls: map[string]int{"AddLabel": 1}},
		{name: "without TreeReader only the label is added", noRole: true, wantCalls: map[string]int{"AddLabel": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			scm := pluginstest.NewReview()
			scm.Collaborators = []string{"rev"}
			scm.PR = event.Event{HeadSHA: lgtmHead, Author: "alice"}
			scm.Trees = map[string]string{lgtmHead: treeA}
			var on any = scm
			if tc.noRole {
				on = noTrees{scm, scm, scm, scm, scm}
			}
			got := pluginstest.Outcomes(pluginstest.Run(on, fromGitHub(pluginstest.CommentEvent("alice", "rev", "/lgtm")), storeTreeHash(!tc.off), nil))
			if diff := cmp.Diff([]string{"added lgtm"}, got); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, scm.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkLgtm measures the SCM calls of one /lgtm from a collaborator,
// as GitHub delivers the comment (no head commit in it), with the trust
// check's answer cached (pluginstest does not count it).
func BenchmarkLgtm(b *testing.B) {
	for _, store := range []bool{false, true} {
		b.Run(fmt.Sprintf("store_tree_hash=%t", store), func(b *testing.B) {
			file := storeTreeHash(store)
			calls := 0
			for range b.N {
				b.StopTimer()
				scm := pluginstest.NewReview()
				scm.Collaborators = []string{"rev"}
				scm.PR = event.Event{HeadSHA: lgtmHead, Author: "alice"}
				scm.Trees = map[string]string{lgtmHead: treeA}
				ev := fromGitHub(pluginstest.CommentEvent("alice", "rev", "/lgtm"))
				b.StartTimer()
				pluginstest.Run(scm, ev, file, nil)
				b.StopTimer()
				if !slices.Contains(scm.State().Labels, lgtm.Label) {
					b.Fatal("no lgtm label")
				}
				calls += scm.TotalCalls()
				b.StartTimer()
			}
			b.ReportMetric(float64(calls)/float64(b.N), "scm-calls/op")
		})
	}
}
