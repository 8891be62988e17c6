package dispatch

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func mergeGroup(action event.Action) event.Event {
	return event.Event{Provider: "github", Instance: "public", Delivery: "d-mg", Kind: event.KindMergeGroup, Action: action,
		Repo: repo, BaseRef: "main", BaseSHA: "ba5e", HeadRef: "gh-readonly-queue/main/pr-7-ba5e", HeadSHA: "9r0up",
		Sender: "github-merge-queue[bot]", FilesUnlisted: true}
}

// TestMergeGroupNeedsNoTrust checks that a merge group, sent by the merge
// queue's bot that no org lists, runs the required presubmits on its head
// commit without a membership call, label or comment.
func TestMergeGroupNeedsNoTrust(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{name: "code change", files: []string{"main.go"}, want: []string{"lint", "unit"}},
		{name: "docs change", files: []string{"docs/a.md"}, want: []string{"docs", "lint", "unit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := trustDispatcher(t, "")
			scm := newTrustSCM()
			scm.files = tc.files
			out, err := d.Handle(context.Background(), instance(scm), mergeGroup(event.ActionChecksRequested))
			if err != nil {
				t.Fatal(err)
			}
			if out.Refused != "" || scm.memberCalls != 0 || len(scm.labelsAdded) != 0 || len(scm.comments) != 0 {
				t.Errorf("refused %q, %d membership calls, labels %v, comments %d; want none", out.Refused, scm.memberCalls, scm.labelsAdded, len(scm.comments))
			}
			if diff := cmp.Diff(tc.want, l.jobs); diff != "" {
				t.Errorf("launched (-want +got):\n%s", diff)
			}
			if l.event.HeadSHA != "9r0up" || l.event.CommitRef().SHA != "9r0up" {
				t.Errorf("launched on %q, reporting on %q; want the group's head commit", l.event.HeadSHA, l.event.CommitRef().SHA)
			}
		})
	}
}

func TestMergeGroupDestroyedCancelsItsRuns(t *testing.T) {
	d, l := trustDispatcher(t, "")
	scm := newTrustSCM()
	out, err := d.Handle(context.Background(), instance(scm), mergeGroup(event.ActionClosed))
	if err != nil {
		t.Fatal(err)
	}
	if l.cancels != 1 || len(out.Cancelled) != 1 || len(l.jobs) != 0 || scm.memberCalls != 0 {
		t.Errorf("cancels %d, answer %+v, launched %v, %d membership calls; want one cancel and nothing else", l.cancels, out, l.jobs, scm.memberCalls)
	}
}
