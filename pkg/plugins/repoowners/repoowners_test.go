package repoowners

import (
	"context"
	"slices"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
)

func TestLoad(t *testing.T) {
	files := map[string]string{"OWNERS": "approvers:\n- root\n", "api/OWNERS": "approvers:\n- alice\n"}
	tests := []struct {
		name          string
		ev            event.Event
		wantApprovers []string
		wantErr       bool
		// wantReadsAgain: a second Load reads the files again (no cache).
		wantReadsAgain bool
	}{
		{name: "base commit, cached", ev: event.Event{Instance: "t", Repo: event.Repo{FullName: "acme/repoowners-a"}, BaseSHA: "sha1", BaseRef: "main"},
			wantApprovers: []string{"alice", "root"}},
		{name: "base branch only, not cached", ev: event.Event{Instance: "t", Repo: event.Repo{FullName: "acme/repoowners-b"}, BaseRef: "main"},
			wantApprovers: []string{"alice", "root"}, wantReadsAgain: true},
		{name: "no base at all", ev: event.Event{Repo: event.Repo{FullName: "acme/repoowners-c"}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pluginstest.NewReview()
			s.Content["sha1"], s.Content["main"] = files, files
			tree, err := Load(context.Background(), s, tc.ev, []string{"api/x.go"})
			if tc.wantErr {
				if err == nil {
					t.Fatal("Load without a base: no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := tree.Approvers("api/x.go")
			slices.Sort(got)
			if !slices.Equal(got, tc.wantApprovers) {
				t.Errorf("approvers %v, want %v", got, tc.wantApprovers)
			}
			s.ResetCalls()
			if _, err := Load(context.Background(), s, tc.ev, []string{"api/x.go"}); err != nil {
				t.Fatal(err)
			}
			if again := s.Calls()["ReadFile"] > 0; again != tc.wantReadsAgain {
				t.Errorf("second load read files: %v, want %v", again, tc.wantReadsAgain)
			}
		})
	}
}
