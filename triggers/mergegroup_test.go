package triggers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

const mergeGroupConfig = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: release-only
    always_run: true
    branches: [release]
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: code
    skip_if_only_changed: '\.md$'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: lint-advice
    always_run: true
    optional: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: silent
    always_run: true
    skip_report: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: e2e-manual
    spec: {containers: [{image: x, command: ["true"]}]}
`

func mergeGroup(action event.Action, base string) event.Event {
	return event.Event{Kind: event.KindMergeGroup, Action: action, Repo: event.Repo{FullName: "org/repo"},
		BaseRef: base, BaseSHA: "base", HeadSHA: "group", FilesUnlisted: true}
}

func TestSelectForMergeGroup(t *testing.T) {
	cfg := mustParse(t, mergeGroupConfig)
	tests := []struct {
		name  string
		ev    event.Event
		in    Inputs
		want  []string
		skips map[string]string
	}{
		{name: "code change on main", ev: mergeGroup(event.ActionChecksRequested, "main"), in: files("ledger/round.go"),
			want: []string{"code", "unit"},
			skips: map[string]string{
				"docs": "no changed file matches", "lint-advice": "optional", "silent": "skip_report",
				"e2e-manual": "runs only when asked", "release-only": "does not match branches",
			}},
		{name: "docs only change", ev: mergeGroup(event.ActionChecksRequested, "main"), in: files("docs/a.md"),
			want: []string{"docs", "unit"}, skips: map[string]string{"code": "skip_if_only_changed"}},
		{name: "release branch", ev: mergeGroup(event.ActionChecksRequested, "release-2"), in: files("x.go"),
			want: []string{"code", "release-only", "unit"}},
		{name: "destroyed starts nothing", ev: mergeGroup(event.ActionClosed, "main"), in: files("x.go"),
			want: []string{}, skips: map[string]string{"unit": "merge group is gone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := cfg.Select(tc.ev, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			for job, reason := range tc.skips {
				if !hasSkip(sel.Skipped, job, reason) {
					t.Errorf("skip of %s with %q missing in %+v", job, reason, sel.Skipped)
				}
			}
		})
	}
}
