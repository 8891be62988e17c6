package bitbucketserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"
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
