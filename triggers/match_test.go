package triggers

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

const testConfig = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: release-only
    always_run: true
    branches: [release]
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: not-main
    always_run: true
    skip_branches: ["^main$"]
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: code
    skip_if_only_changed: '\.md$'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: manual
    optional: true
    spec: {containers: [{image: x, command: ["true"]}]}
postsubmits:
  org/repo:
  - name: publish
    branches: ["^main$", "^v\\d+\\."]
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs-site
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
`

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	cfg, err := Parse([]byte(text), "config.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func jobNames(jobs []*Job) []string {
	names := []string{}
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	return names
}

func pr(action event.Action, base string) event.Event {
	return event.Event{Kind: event.KindPullRequest, Action: action, Repo: event.Repo{FullName: "org/repo"}, Number: 1, BaseRef: base, HeadSHA: "abc"}
}

func files(names ...string) Inputs {
	return Inputs{ChangedFiles: func() ([]string, error) { return names, nil }}
}

func TestSelectPresubmits(t *testing.T) {
	cfg := mustParse(t, testConfig)
	tests := []struct {
		name  string
		ev    event.Event
		in    Inputs
		want  []string
		skips map[string]string
	}{
		{name: "opened on main, code change", ev: pr(event.ActionOpened, "main"), in: files("main.go"),
			want:  []string{"code", "unit"},
			skips: map[string]string{"docs": "no changed file matches", "manual": "runs only when asked", "not-main": "skip_branches", "release-only": "does not match branches"}},
		{name: "docs only change", ev: pr(event.ActionSynchronize, "main"), in: files("docs/a.md", "README.md"),
			want: []string{"docs", "unit"}},
		{name: "release branch", ev: pr(event.ActionReopened, "release"), in: files("x.go"),
			want: []string{"code", "not-main", "release-only", "unit"}},
		{name: "unanchored branch regex matches a longer name, as in Prow", ev: pr(event.ActionOpened, "release-1.2"), in: files("x.go"),
			want: []string{"code", "not-main", "release-only", "unit"}},
		{name: "closed starts nothing", ev: pr(event.ActionClosed, "main"), in: files("x.go"),
			want: []string{}},
		{name: "ready for review runs", ev: pr(event.ActionReadyForReview, "main"), in: files("x.go"),
			want: []string{"code", "unit"}},
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

func hasSkip(skips []Skip, job, reason string) bool {
	for _, s := range skips {
		if s.Job == job && strings.Contains(s.Reason, reason) {
			return true
		}
	}
	return false
}

func TestChangedFilesReadOnlyWhenNeeded(t *testing.T) {
	cfg := mustParse(t, `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
`)
	calls := 0
	in := Inputs{ChangedFiles: func() ([]string, error) { calls++; return nil, nil }}
	if _, err := cfg.Select(pr(event.ActionOpened, "main"), in); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Fatalf("changed files read %d times for always_run jobs only", calls)
	}
	cfg = mustParse(t, testConfig)
	if _, err := cfg.Select(pr(event.ActionOpened, "main"), in); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("changed files read %d times, want once per event", calls)
	}
}

func TestChangedFilesErrorIsReturned(t *testing.T) {
	cfg := mustParse(t, testConfig)
	in := Inputs{ChangedFiles: func() ([]string, error) { return nil, errors.New("api down") }}
	if _, err := cfg.Select(pr(event.ActionOpened, "main"), in); err == nil || !strings.Contains(err.Error(), "api down") {
		t.Fatalf("Select error = %v, want the API error", err)
	}
}

func TestSelectPostsubmits(t *testing.T) {
	cfg := mustParse(t, testConfig)
	push := func(ref string, deleted bool, changed ...string) event.Event {
		base := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/tags/")
		return event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "org/repo"}, Ref: ref, BaseRef: base, HeadSHA: "abc", Deleted: deleted, ChangedFiles: changed}
	}
	tests := []struct {
		name string
		ev   event.Event
		want []string
	}{
		{"main, code", push("refs/heads/main", false, "a.go"), []string{"publish"}},
		{"main, docs", push("refs/heads/main", false, "docs/x.md"), []string{"docs-site", "publish"}},
		{"tag", push("refs/tags/v1.2.0", false, "a.go"), []string{"publish"}},
		{"other branch", push("refs/heads/feature", false, "a.go"), []string{}},
		{"deleted branch", push("refs/heads/main", true), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := cfg.Select(tc.ev, Inputs{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPostsubmitsOfAPushThatListsNoFiles(t *testing.T) {
	cfg := mustParse(t, testConfig)
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "org/repo"}, Ref: "refs/heads/main", BaseRef: "main", HeadSHA: "abc", FilesUnlisted: true}
	tests := []struct {
		name  string
		files func() ([]string, error)
		want  []string
	}{
		{"docs read from the SCM", func() ([]string, error) { return []string{"docs/x.md"}, nil }, []string{"docs-site", "publish"}},
		{"code read from the SCM", func() ([]string, error) { return []string{"a.go"}, nil }, []string{"publish"}},
		{"files cannot be known: the job runs", func() ([]string, error) { return nil, event.ErrFilesUnknown }, []string{"docs-site", "publish"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := cfg.Select(push, Inputs{ChangedFiles: tc.files})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := cfg.Select(push, Inputs{ChangedFiles: func() ([]string, error) { return nil, errors.New("502") }}); err == nil {
		t.Error("an SCM error reading the files must fail the event, so it is redelivered")
	}
}

func TestCommentCommands(t *testing.T) {
	cfg := mustParse(t, testConfig)
	comment := func(body string) event.Event {
		ev := pr(event.ActionCreated, "main")
		ev.Kind = event.KindComment
		ev.Comment = &event.Comment{Body: body, Author: "alice"}
		return ev
	}
	// Every job has reported; the ones named failed.
	failed := func(ctxs ...string) func() (map[string]bool, error) {
		return func() (map[string]bool, error) {
			m := map[string]bool{"unit": false, "code": false, "docs": false, "manual": false}
			for _, c := range ctxs {
				m[c] = true
			}
			return m, nil
		}
	}
	tests := []struct {
		name   string
		body   string
		failed []string
		want   []string
	}{
		{"test one job", "/test manual", nil, []string{"manual"}},
		{"test two jobs on one line", "/test manual docs", nil, []string{"docs", "manual"}},
		{"test in the middle of a comment", "LGTM\n/test docs\nthanks", nil, []string{"docs"}},
		{"test all runs what an update would", "/test all", nil, []string{"code", "unit"}},
		{"not at line start", "please /test manual", nil, []string{}},
		{"test on the wrong branch does not force it", "/test release-only", nil, []string{}},
		{"retest reruns failed contexts", "/retest", []string{"unit", "manual"}, []string{"manual", "unit"}},
		{"retest-required skips optional jobs", "/retest-required", []string{"unit", "manual"}, []string{"unit"}},
		{"plain comment", "nice work", nil, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := files("main.go")
			in.FailedContexts = failed(tc.failed...)
			sel, err := cfg.Select(comment(tc.body), in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHasTestCommand(t *testing.T) {
	for body, want := range map[string]bool{"/test x": true, "ok\n/retest": true, "/lgtm": false, "a /test b": false} {
		if got := HasTestCommand(body); got != want {
			t.Errorf("HasTestCommand(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestDraftsWaitAsInProw(t *testing.T) {
	draft := func(action event.Action) event.Event {
		ev := pr(action, "main")
		ev.Draft = true
		return ev
	}
	comment := draft(event.ActionCreated)
	comment.Kind, comment.Comment = event.KindComment, &event.Comment{Body: "/test all", Author: "alice"}
	tests := []struct {
		name string
		ev   event.Event
		want []string
	}{
		{name: "draft opened waits", ev: draft(event.ActionOpened), want: []string{}},
		{name: "draft updated waits", ev: draft(event.ActionSynchronize), want: []string{}},
		{name: "draft reopened waits", ev: draft(event.ActionReopened), want: []string{}},
		{name: "converted to draft starts nothing", ev: draft(event.ActionConvertToDraft), want: []string{}},
		{name: "ready for review runs", ev: pr(event.ActionReadyForReview, "main"), want: []string{"code", "unit"}},
		{name: "/test all on a draft runs", ev: comment, want: []string{"code", "unit"}},
		{name: "not a draft runs", ev: pr(event.ActionOpened, "main"), want: []string{"code", "unit"}},
	}
	for _, skipDraft := range []bool{false, true} {
		cfg := mustParse(t, testConfig)
		cfg.Plugins = &Plugins{Triggers: []TriggerSettings{{Repos: []string{"org"}, SkipDraftPR: skipDraft}}}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s, skip_draft_pr %v", tc.name, skipDraft), func(t *testing.T) {
				sel, err := cfg.Select(tc.ev, files("main.go"))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
					t.Errorf("runs (-want +got):\n%s", diff)
				}
			})
		}
	}
	sel, _ := mustParse(t, testConfig).Select(draft(event.ActionOpened), files("main.go"))
	if !hasSkip(sel.Skipped, "unit", "draft") || !strings.Contains(sel.Reply, "draft") {
		t.Errorf("an opened draft says why it waits; skips %+v reply %q", sel.Skipped, sel.Reply)
	}
}

func TestTriggerForPicksTheNearestScope(t *testing.T) {
	p := &Plugins{Triggers: []TriggerSettings{
		{Repos: []string{"acme"}, SkipDraftPR: true},
		{Repos: []string{"acme/widgets", "group/sub"}},
	}}
	for repo, want := range map[string]bool{
		"acme/gears":         true,  // its org's entry
		"acme/widgets":       false, // its own entry wins over the org's
		"group/sub/project":  false, // nested group: the nearest enclosing one
		"other/repo":         false,
		"acmeish/repo":       false,
		"group/sub2/project": false,
	} {
		if got := p.TriggerFor(repo).SkipDraftPR; got != want {
			t.Errorf("TriggerFor(%q).SkipDraftPR = %v, want %v", repo, got, want)
		}
	}
}
