package dispatch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// skipJobsYAML has one conditional job a protection may require (docs)
// and conditional jobs none may: optional, skip_report, on another
// branch.
const skipJobsYAML = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs
    context: ci/docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: advice
    run_if_changed: '^docs/'
    optional: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: quiet
    skip_if_only_changed: '\.go$'
    skip_report: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: release-docs
    run_if_changed: '^docs/'
    branches: [release]
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: manual
    spec: {containers: [{image: x, command: ["true"]}]}
`

// skipSCM is a trusting SCM with changed files that records the skipped
// contexts it is asked to set.
type skipSCM struct {
	fakeSCM
	skipped []string
	why     []string
	refs    []event.CommitRef
	fail    error
}

func (s *skipSCM) SetSkipped(_ context.Context, ref event.CommitRef, context, _, why string) error {
	if s.fail != nil {
		return s.fail
	}
	s.skipped = append(s.skipped, context)
	s.why = append(s.why, why)
	s.refs = append(s.refs, ref)
	return nil
}

func TestReportSkipped(t *testing.T) {
	draft := pullRequest(event.ActionOpened)
	draft.Draft = true
	otherLabel := pullRequest(event.ActionLabeled)
	otherLabel.Label = "kind/bug"
	tests := []struct {
		name     string
		ev       event.Event
		files    []string
		existing map[string]bool
		fail     error
		want     []string
		wantSHA  string
		wantWarn string
	}{
		{name: "a code change skips the docs context", ev: pullRequest(event.ActionOpened), files: []string{"main.go"}, want: []string{"ci/docs"}, wantSHA: "he4d"},
		{name: "a push to the pull request does too", ev: pullRequest(event.ActionSynchronize), files: []string{"main.go"}, want: []string{"ci/docs"}, wantSHA: "he4d"},
		{name: "a docs change runs it: nothing skipped", ev: pullRequest(event.ActionOpened), files: []string{"docs/a.md"}},
		{name: "a draft runs nothing and skips nothing", ev: draft, files: []string{"main.go"}},
		{name: "a label other than ok-to-test", ev: otherLabel, files: []string{"main.go"}},
		{name: "a comment's /test all", ev: comment("/test all"), files: []string{"main.go"}},
		{name: "a merge group skips on its own commit", ev: mergeGroup(event.ActionChecksRequested), files: []string{"main.go"}, want: []string{"ci/docs"}, wantSHA: "9r0up"},
		{name: "a context with a run on the commit keeps its result", ev: pullRequest(event.ActionOpened), files: []string{"main.go"}, existing: map[string]bool{"ci/docs": true}},
		{name: "a refusal is a warning", ev: pullRequest(event.ActionOpened), files: []string{"main.go"}, fail: errors.New("403 Resource not accessible by integration"), wantWarn: "skipped context ci/docs not reported: 403"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := triggers.Parse([]byte(skipJobsYAML), "config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			l := &fakeLauncher{}
			d := &Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: l,
				FailedContexts: func(context.Context, event.Event) (map[string]bool, error) { return tc.existing, nil }}
			scm := &skipSCM{fakeSCM: fakeSCM{files: tc.files}, fail: tc.fail}
			out, err := d.Handle(context.Background(), instance(scm), tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, scm.skipped); diff != "" {
				t.Errorf("skipped contexts (-want +got):\n%s", diff)
			}
			for i, ref := range scm.refs {
				if ref.SHA != tc.wantSHA || !strings.Contains(scm.why[i], "run_if_changed") {
					t.Errorf("skipped on %s because %q; want %s and the changed-file rule", ref.SHA, scm.why[i], tc.wantSHA)
				}
			}
			if tc.wantWarn != "" && !strings.Contains(strings.Join(out.Warnings, "\n"), tc.wantWarn) {
				t.Errorf("warnings %q, want one saying %q", out.Warnings, tc.wantWarn)
			}
			if tc.wantWarn != "" && len(l.jobs) == 0 {
				t.Error("a refused skipped context stopped the jobs")
			}
		})
	}
}

// TestReportSkippedNeedsTheRole: an SCM that cannot mark contexts skipped
// is not asked, and nothing warns.
func TestReportSkippedNeedsTheRole(t *testing.T) {
	cfg, err := triggers.Parse([]byte(skipJobsYAML), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: &fakeLauncher{}}
	out, err := d.Handle(context.Background(), instance(&fakeSCM{files: []string{"main.go"}}), pullRequest(event.ActionOpened))
	if err != nil || len(out.Warnings) != 0 {
		t.Fatalf("err %v, warnings %q; want neither", err, out.Warnings)
	}
}
