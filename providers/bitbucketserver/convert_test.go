package bitbucketserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func TestPullRequestModifiedTarget(t *testing.T) {
	data, err := os.ReadFile("../../test/testdata/webhooks/bitbucket-server/gp-pr-modified.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, previous, want string }{
		{name: "target moved", previous: "develop", want: "develop"},
		{name: "target kept (title or description edited)", previous: "master", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			m["previousTarget"].(map[string]any)["displayId"] = tc.previous
			body, _ := json.Marshal(m)
			r, _ := http.NewRequest(http.MethodPost, "/hook/bitbucketserver", bytes.NewReader(body))
			r.Header.Set("X-Event-Key", "pr:modified")
			r.Header.Set("X-Request-Id", "req-1")
			ev, err := newTestProvider(t, "http://127.0.0.1:1").Parse(t.Context(), r, body)
			if err != nil {
				t.Fatal(err)
			}
			if ev.PreviousBaseRef != tc.want || ev.BaseRef != "master" || ev.Sender != "gopher" {
				t.Errorf("previous base %q base %q sender %q, want %q master gopher", ev.PreviousBaseRef, ev.BaseRef, ev.Sender, tc.want)
			}
		})
	}
}

// TestPullRequestDeletedCloses checks that a deleted pull request, open or
// declined before, is a closed pull request, as pr:declined is, so its
// unfinished runs are cancelled.
func TestPullRequestDeletedCloses(t *testing.T) {
	data, err := os.ReadFile("testdata/pr-deleted.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, state string }{
		{name: "deleted while open", state: "OPEN"},
		{name: "deleted after decline", state: "DECLINED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			m["pullRequest"].(map[string]any)["state"] = tc.state
			body, _ := json.Marshal(m)
			r, _ := http.NewRequest(http.MethodPost, "/hook/bitbucketserver", bytes.NewReader(body))
			r.Header.Set("X-Event-Key", "pr:deleted")
			ev, err := newTestProvider(t, "http://127.0.0.1:1").Parse(t.Context(), r, body)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Action != event.ActionClosed || !ev.Closed || ev.Number != 41 || ev.Sender != "mlindqvist" {
				t.Errorf("action %q closed %v number %d sender %q, want closed true 41 mlindqvist", ev.Action, ev.Closed, ev.Number, ev.Sender)
			}
		})
	}
}
