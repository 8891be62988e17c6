package github

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// goSCMPayload reads one of go-scm's recorded GitHub payloads and applies
// edit to it as a JSON object.
func goSCMPayload(t *testing.T, name string, edit func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goSCMWebhooks(t), name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parseAs(t *testing.T, name string, body []byte) event.Event {
	t.Helper()
	p, err := New(Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.EventRequest(name, body)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.Parse(context.Background(), r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ev
}

func TestFieldsGoSCMDrops(t *testing.T) {
	pullRequest := func(m map[string]any) map[string]any { return m["pull_request"].(map[string]any) }
	issue := func(m map[string]any) map[string]any { return m["issue"].(map[string]any) }
	tests := []struct {
		name, file, event string
		edit              func(map[string]any)
		check             func(event.Event) bool
	}{
		{name: "edited base branch", file: "pr_edited.json", event: "pull_request",
			edit: func(m map[string]any) {
				m["changes"] = map[string]any{"base": map[string]any{"ref": map[string]any{"from": "develop"}}}
			},
			check: func(ev event.Event) bool { return ev.PreviousBaseRef == "develop" }},
		{name: "edited title", file: "pr_edited.json", event: "pull_request",
			edit:  func(m map[string]any) { m["changes"] = map[string]any{"title": map[string]any{"from": "old"}} },
			check: func(ev event.Event) bool { return ev.PreviousBaseRef == "" }},
		{name: "mergeable null is not unmergeable", file: "pr_opened.json", event: "pull_request",
			edit:  func(m map[string]any) { pullRequest(m)["mergeable"] = nil },
			check: func(ev event.Event) bool { return !ev.Unmergeable }},
		{name: "mergeable false", file: "pr_opened.json", event: "pull_request",
			edit:  func(m map[string]any) { pullRequest(m)["mergeable"] = false },
			check: func(ev event.Event) bool { return ev.Unmergeable }},
		{name: "description and sender", file: "pr_opened.json", event: "pull_request",
			edit: func(m map[string]any) {
				pullRequest(m)["body"] = "/test unit"
				m["sender"] = map[string]any{"login": "carol"}
			},
			check: func(ev event.Event) bool { return ev.Body == "/test unit" && ev.Sender == "carol" }},
		{name: "comment on a closed pull request", file: "issue_comment.json", event: "issue_comment",
			edit: func(m map[string]any) {
				issue(m)["state"] = "closed"
				issue(m)["pull_request"] = map[string]any{"url": "https://api.github.com/repos/o/r/pulls/1"}
			},
			check: func(ev event.Event) bool { return ev.Closed }},
		{name: "comment on an open pull request", file: "issue_comment.json", event: "issue_comment",
			edit: func(m map[string]any) {
				issue(m)["state"] = "open"
				issue(m)["pull_request"] = map[string]any{"url": "https://api.github.com/repos/o/r/pulls/1"}
			},
			check: func(ev event.Event) bool { return !ev.Closed && ev.Sender != "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := parseAs(t, tc.event, goSCMPayload(t, tc.file, tc.edit))
			if !tc.check(ev) {
				t.Errorf("event %+v", ev)
			}
		})
	}
}

// goSCMWebhooks is the folder of go-scm's recorded GitHub payloads.
func goSCMWebhooks(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jenkins-x/go-scm").Output()
	if err != nil {
		t.Fatalf("locate go-scm module: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "scm", "driver", "github", "testdata", "webhooks")
}
