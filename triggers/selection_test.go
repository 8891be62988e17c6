package triggers

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func commentOn(body string) event.Event {
	ev := pr(event.ActionCreated, "main")
	ev.Kind = event.KindComment
	ev.Comment = &event.Comment{Body: body, Author: "alice"}
	return ev
}

func selectRuns(t *testing.T, cfg *Config, ev event.Event, in Inputs) Selection {
	t.Helper()
	sel, err := cfg.Select(ev, in)
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	return sel
}

func TestPostsubmitAlwaysRun(t *testing.T) {
	cfg := mustParse(t, `
postsubmits:
  org/repo:
  - name: omitted
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: explicit-false
    always_run: false
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: explicit-true
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: false-with-files
    always_run: false
    run_if_changed: '\.go$'
    spec: {containers: [{image: x, command: ["true"]}]}
`)
	push := event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "org/repo"}, Ref: "refs/heads/main", BaseRef: "main", HeadSHA: "abc", ChangedFiles: []string{"a.go"}}
	sel := selectRuns(t, cfg, push, Inputs{})
	if diff := cmp.Diff([]string{"explicit-true", "false-with-files", "omitted"}, jobNames(sel.Runs)); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	if !hasSkip(sel.Skipped, "explicit-false", "always_run is false") {
		t.Errorf("skips %+v do not say why explicit-false waits", sel.Skipped)
	}
}

func TestOkToTest(t *testing.T) {
	labeled := func(label string) event.Event {
		ev := pr(event.ActionLabeled, "main")
		ev.Label = label
		return ev
	}
	tests := []struct {
		name   string
		ev     event.Event
		ignore bool
		want   []string
	}{
		{name: "comment runs what /test all would", ev: commentOn("/ok-to-test"), want: []string{"code", "unit"}},
		{name: "comment with CRLF", ev: commentOn("/ok-to-test\r\n"), want: []string{"code", "unit"}},
		{name: "ignored when the trigger ignores ok-to-test", ev: commentOn("/ok-to-test"), ignore: true, want: []string{}},
		{name: "ok-to-test label runs as an open", ev: labeled("ok-to-test"), want: []string{"code", "unit"}},
		{name: "another label starts nothing", ev: labeled("lgtm"), want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustParse(t, testConfig)
			cfg.Plugins = &Plugins{Triggers: []TriggerSettings{{Repos: []string{"org/repo"}, IgnoreOkToTest: tc.ignore}}}
			sel := selectRuns(t, cfg, tc.ev, files("main.go"))
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetestLooksAtTheHeadCommitsResults(t *testing.T) {
	cfg := mustParse(t, testConfig)
	tests := []struct {
		name     string
		body     string
		reported map[string]bool // context -> failed
		want     []string
	}{
		{name: "nothing reported: what an update would run", body: "/retest", reported: nil, want: []string{"code", "unit"}},
		{name: "failed and unreported", body: "/retest", reported: map[string]bool{"unit": true, "code": false}, want: []string{"unit"}},
		{name: "a failed job that needs a /test is rerun", body: "/retest", reported: map[string]bool{"manual": true, "unit": false, "code": false}, want: []string{"manual"}},
		{name: "all passed", body: "/retest", reported: map[string]bool{"unit": false, "code": false}, want: []string{}},
		{name: "unreported job whose files do not match is not rerun", body: "/retest", reported: map[string]bool{"unit": false, "code": false}, want: []string{}},
		{name: "retest-required leaves out optional", body: "/retest-required", reported: map[string]bool{"manual": true, "unit": true, "code": false}, want: []string{"unit"}},
		{name: "CRLF line ends", body: "/retest\r\n", reported: map[string]bool{"unit": true, "code": false}, want: []string{"unit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := files("main.go")
			in.FailedContexts = func() (map[string]bool, error) { return tc.reported, nil }
			sel := selectRuns(t, cfg, commentOn(tc.body), in)
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPullRequestActions(t *testing.T) {
	cfg := mustParse(t, testConfig)
	edited := func(previous string) event.Event {
		ev := pr(event.ActionEdited, "main")
		ev.PreviousBaseRef = previous
		return ev
	}
	unmergeable := func(ev event.Event) event.Event { ev.Unmergeable = true; return ev }
	closed := commentOn("/test all")
	closed.Closed = true
	tests := []struct {
		name string
		ev   event.Event
		want []string
		skip string
	}{
		{name: "edited with a new base branch reruns", ev: edited("develop"), want: []string{"code", "unit"}},
		{name: "edited title starts nothing", ev: edited(""), want: []string{}, skip: "keeps the base branch"},
		{name: "comment on a closed pull request", ev: closed, want: []string{}, skip: "closed"},
		{name: "unmergeable opened", ev: unmergeable(pr(event.ActionOpened, "main")), want: []string{}, skip: "cannot merge"},
		{name: "unmergeable synchronize", ev: unmergeable(pr(event.ActionSynchronize, "main")), want: []string{}, skip: "cannot merge"},
		{name: "unmergeable /test", ev: unmergeable(commentOn("/test unit")), want: []string{}, skip: "cannot merge"},
		{name: "closed starts nothing", ev: pr(event.ActionClosed, "main"), want: []string{}, skip: "starts no jobs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel := selectRuns(t, cfg, tc.ev, files("main.go"))
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			if tc.skip != "" && !hasSkip(sel.Skipped, "unit", tc.skip) {
				t.Errorf("skip of unit lacks %q: %+v", tc.skip, sel.Skipped)
			}
		})
	}
}

func TestDescriptionOfAnOpenedPullRequestIsAComment(t *testing.T) {
	cfg := mustParse(t, testConfig)
	withBody := func(action event.Action, body string, draft bool) event.Event {
		ev := pr(action, "main")
		ev.Body, ev.Draft = body, draft
		return ev
	}
	tests := []struct {
		name string
		ev   event.Event
		want []string
	}{
		{name: "opened with /test manual", ev: withBody(event.ActionOpened, "Fixes it.\r\n/test manual\r\n", false), want: []string{"code", "manual", "unit"}},
		{name: "draft opened with /test all", ev: withBody(event.ActionOpened, "/test all", true), want: []string{"code", "unit"}},
		{name: "draft opened with /test docs", ev: withBody(event.ActionOpened, "/test docs", true), want: []string{"docs"}},
		{name: "synchronize does not read the description", ev: withBody(event.ActionSynchronize, "/test manual", false), want: []string{"code", "unit"}},
		{name: "edited does not read the description", ev: withBody(event.ActionEdited, "/test manual", false), want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel := selectRuns(t, cfg, tc.ev, files("main.go"))
			if diff := cmp.Diff(tc.want, jobNames(sel.Runs)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHelpReplies(t *testing.T) {
	cfg := mustParse(t, testConfig)
	tests := []struct {
		name      string
		body      string
		wantReply []string // each must appear; none means no reply
	}{
		{name: "/test alone", body: "/test", wantReply: []string{"needs the name of a job", "`/test manual`", "`/test unit`"}},
		{name: "/test ?", body: "/test ?", wantReply: []string{"Required jobs", "Optional jobs", "`/test manual`"}},
		{name: "unknown job", body: "/test nosuchjob", wantReply: []string{"No job here answers", "`/test code`"}},
		{name: "job on another branch", body: "/test release-only", wantReply: []string{"No job here answers"}},
		{name: "/retest with a target", body: "/retest unit", wantReply: []string{"takes no job names"}},
		{name: "known job", body: "/test unit"},
		{name: "CRLF known job", body: "/test unit\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel := selectRuns(t, cfg, commentOn(tc.body), files("main.go"))
			if len(tc.wantReply) == 0 {
				if sel.Reply != "" || len(sel.Runs) == 0 {
					t.Errorf("want runs and no reply, got runs %v reply %q", jobNames(sel.Runs), sel.Reply)
				}
				return
			}
			if len(sel.Runs) != 0 {
				t.Errorf("a help reply runs nothing, got %v", jobNames(sel.Runs))
			}
			for _, w := range tc.wantReply {
				if !strings.Contains(sel.Reply, w) {
					t.Errorf("reply lacks %q:\n%s", w, sel.Reply)
				}
			}
			if strings.Contains(sel.Reply, "release-only") {
				t.Errorf("reply lists a job that cannot run on main:\n%s", sel.Reply)
			}
		})
	}
}

func TestTriggeredByACustomTrigger(t *testing.T) {
	cfg := mustParse(t, `
presubmits:
  org/repo:
  - name: image
    trigger: '(?m)^/build( image)?\s*$'
    rerun_command: /build image
    spec: {containers: [{image: x, command: ["true"]}]}
`)
	for body, want := range map[string]bool{"/build": true, "/build image\r\n": true, "/lgtm": false, "/test x": true} {
		if got := cfg.Triggered("org/repo", body); got != want {
			t.Errorf("Triggered(%q) = %v, want %v", body, got, want)
		}
	}
	sel := selectRuns(t, cfg, commentOn("/build"), Inputs{})
	if diff := cmp.Diff([]string{"image"}, jobNames(sel.Runs)); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

func TestCommentWithoutItsPullRequestIsAnError(t *testing.T) {
	cfg := mustParse(t, testConfig)
	ev := commentOn("/test unit")
	ev.HeadSHA, ev.BaseRef = "", ""
	if _, err := cfg.Select(ev, Inputs{}); err == nil {
		t.Fatal("a command on a pull request whose head is unknown must not select jobs")
	}
	ev.Comment.Body = "thanks!"
	if sel, err := cfg.Select(ev, Inputs{}); err != nil || len(sel.Runs) != 0 {
		t.Fatalf("a comment without commands needs no pull request: %v %v", jobNames(sel.Runs), err)
	}
}
