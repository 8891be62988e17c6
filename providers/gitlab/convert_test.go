package gitlab

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// parseEdited parses testdata's recorded merge request update with edit
// applied to its JSON.
func parseEdited(t *testing.T, file, hook string, edit func(map[string]any)) event.Event {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	body, _ := json.Marshal(m)
	r, _ := http.NewRequest(http.MethodPost, "/hook/gitlab", bytes.NewReader(body))
	r.Header.Set("X-Gitlab-Event", hook)
	r.Header.Set("X-Gitlab-Event-UUID", "uuid-1")
	ev, err := newTestProvider(t, "http://127.0.0.1:1").Parse(t.Context(), r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ev
}

func TestMergeRequestFieldsForSelection(t *testing.T) {
	attrs := func(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }
	mr := func(m map[string]any) map[string]any { return m["merge_request"].(map[string]any) }
	tests := []struct {
		name, file, hook string
		edit             func(map[string]any)
		check            func(event.Event) bool
	}{
		{name: "target branch changed", file: "mr-update-title-nested.json", hook: mergeRequestHook,
			edit: func(m map[string]any) {
				m["changes"] = map[string]any{"target_branch": map[string]any{"previous": "develop", "current": "main"}}
			},
			check: func(ev event.Event) bool { return ev.Action == event.ActionEdited && ev.PreviousBaseRef == "develop" }},
		{name: "title changed", file: "mr-update-title-nested.json", hook: mergeRequestHook, edit: func(map[string]any) {},
			check: func(ev event.Event) bool { return ev.Action == event.ActionEdited && ev.PreviousBaseRef == "" }},
		{name: "description and sender", file: "mr-update-title-nested.json", hook: mergeRequestHook,
			edit:  func(m map[string]any) { attrs(m)["description"] = "/test unit" },
			check: func(ev event.Event) bool { return ev.Body == "/test unit" && ev.Sender != "" }},
		{name: "conflict", file: "mr-update-title-nested.json", hook: mergeRequestHook,
			edit:  func(m map[string]any) { attrs(m)["detailed_merge_status"] = "conflict" },
			check: func(ev event.Event) bool { return ev.Unmergeable }},
		{name: "note on a closed merge request", file: "note-mr-nested.json", hook: noteHook,
			edit:  func(m map[string]any) { mr(m)["state"] = "closed" },
			check: func(ev event.Event) bool { return ev.Closed && ev.Kind == event.KindComment }},
		{name: "note on an open merge request", file: "note-mr-nested.json", hook: noteHook,
			edit:  func(m map[string]any) { mr(m)["state"] = "opened" },
			check: func(ev event.Event) bool { return !ev.Closed }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ev := parseEdited(t, tc.file, tc.hook, tc.edit); !tc.check(ev) {
				t.Errorf("event %+v", ev)
			}
		})
	}
}
