package github

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// mergeGroupBody reads the checks_requested sample and applies edit to it.
func mergeGroupBody(t *testing.T, edit func(m map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/merge-group-checks-requested.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseMergeGroup(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(m map[string]any)
		wantStatus int
		wantAction event.Action
	}{
		{name: "checks requested", edit: func(map[string]any) {}, wantStatus: http.StatusOK, wantAction: event.ActionChecksRequested},
		{name: "destroyed closes", edit: func(m map[string]any) { m["action"], m["reason"] = "destroyed", "merged" }, wantStatus: http.StatusOK, wantAction: event.ActionClosed},
		{name: "an action fresnel does not know is ignored", edit: func(m map[string]any) { m["action"] = "entered" }, wantStatus: http.StatusOK},
		{name: "no merge group", edit: func(m map[string]any) { delete(m, "merge_group") }, wantStatus: http.StatusBadRequest},
		{name: "no head commit", edit: func(m map[string]any) { delete(m["merge_group"].(map[string]any), "head_sha") }, wantStatus: http.StatusBadRequest},
		{name: "no repository", edit: func(m map[string]any) { delete(m, "repository") }, wantStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := providertest.Payload{Body: mergeGroupBody(t, tc.edit), Header: http.Header{}}
			p.Header.Set("X-GitHub-Event", "merge_group")
			p.Header.Set("X-GitHub-Delivery", "d-1")
			out := providertest.Parse(t, newTestProvider(t), p)
			if out.Status != tc.wantStatus {
				t.Fatalf("status = %d (%s), want %d", out.Status, out.Error, tc.wantStatus)
			}
			if tc.wantAction == "" {
				if out.Event != nil {
					t.Fatalf("event = %+v, want none", out.Event)
				}
				return
			}
			ev := out.Event
			if ev.Kind != event.KindMergeGroup || ev.Action != tc.wantAction || ev.BaseRef != "main" || ev.Number != 0 {
				t.Errorf("got %s base %q number %d, want merge_group/%s on main without a number", ev, ev.BaseRef, ev.Number, tc.wantAction)
			}
			if ev.CommitRef().SHA != "b41e07c9a2d35f6e8b1c4a7d0e3f6a9b2c5d8e1f" {
				t.Errorf("reported on %q, want the group's head commit", ev.CommitRef().SHA)
			}
		})
	}
}

func TestMergeGroupChangedFiles(t *testing.T) {
	const (
		base = "6f3d2a1b9c8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f"
		head = "b41e07c9a2d35f6e8b1c4a7d0e3f6a9b2c5d8e1f"
		path = "/repos/lumen-labs/ledger/compare/" + base + "..." + head
	)
	group := event.Event{Kind: event.KindMergeGroup, Repo: event.Repo{FullName: "lumen-labs/ledger"}, BaseSHA: base, HeadSHA: head}
	tests := []struct {
		name    string
		reply   providertest.Reply
		want    []string
		wantErr bool
	}{
		{name: "files, a rename's old path too", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "compare-merge-group.json")},
			want: []string{"money/round.go", "docs/rounding.md", "docs/round.md"}},
		{name: "not found", reply: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + path: tc.reply})
			got, err := newAPIProvider(t, api.URL).ChangedFiles(t.Context(), group)
			api.Only(t, http.MethodGet, path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ChangedFiles() error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}
