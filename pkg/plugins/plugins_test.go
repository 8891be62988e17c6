package plugins_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/help"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/hold"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

// The test plugins record the commands they ran.
var ran []string

func init() {
	record := func(_ context.Context, a *plugins.Agent, inv plugins.Invocation) (string, error) {
		ran = append(ran, inv.Name+":"+inv.Args)
		return "ran " + inv.Name, nil
	}
	plugins.Register(plugins.Plugin{Name: "t-echo", Commands: []plugins.Command{
		{Name: "echo", Args: `(\w+)?`, Help: "Echoes.", Run: record},
		{Name: "shout", Help: "Shouts.", Run: record},
	}})
	plugins.Register(plugins.Plugin{Name: "t-broken", Commands: []plugins.Command{
		{Name: "panic", Help: "Panics.", Run: func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
			var m map[string]int
			m["x"]++ // a nil map write panics
			return "", nil
		}},
		{Name: "fail", Help: "Fails.", Run: func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
			return "", errors.New("backend down")
		}},
		{Name: "refuse", Help: "Refuses.", Run: func(context.Context, *plugins.Agent, plugins.Invocation) (string, error) {
			return "", plugins.Refuse("you may not.")
		}},
	}})
}

func enable(names ...string) func() *triggers.PluginsFile {
	return func() *triggers.PluginsFile {
		return &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{"acme": {Plugins: names}}}
	}
}

func TestParseLines(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []plugins.Line
	}{
		{name: "one command", body: "/lgtm", want: []plugins.Line{{Name: "lgtm", Text: "/lgtm"}}},
		{name: "lighthouse prefix", body: "/lh-lgtm cancel", want: []plugins.Line{{Name: "lgtm", Args: "cancel", Text: "/lh-lgtm cancel"}}},
		{name: "upper case", body: "/HOLD", want: []plugins.Line{{Name: "hold", Text: "/HOLD"}}},
		{name: "several, CRLF", body: "thanks!\r\n/lgtm\r\n/hold cancel  \r\n",
			want: []plugins.Line{{Name: "lgtm", Text: "/lgtm"}, {Name: "hold", Args: "cancel", Text: "/hold cancel"}}},
		{name: "not at the start of a line", body: "please /lgtm this", want: nil},
		{name: "quoted", body: "> /lgtm\nno", want: nil},
		{name: "in a code block", body: "```\n/lgtm\n```\n/hold", want: []plugins.Line{{Name: "hold", Text: "/hold"}}},
		{name: "a path is not a command", body: "/ tmp", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, plugins.ParseLines(tc.body)); diff != "" {
				t.Errorf("ParseLines(%q) (-want +got):\n%s", tc.body, diff)
			}
		})
	}
}

func TestRunnerCommands(t *testing.T) {
	cases := []struct {
		name        string
		action      event.Action
		body        string
		enabled     []string
		wantRan     []string
		wantResults []plugins.Result
		wantReply   []string
	}{
		{name: "several commands in one comment, in order", action: event.ActionCreated, body: "/echo one\r\n/lh-shout\n/echo two",
			enabled: []string{"t-echo"}, wantRan: []string{"echo:one", "shout:", "echo:two"},
			wantResults: []plugins.Result{
				{Plugin: "t-echo", Command: "/echo one", User: "bob", Result: "ran echo"},
				{Plugin: "t-echo", Command: "/lh-shout", User: "bob", Result: "ran shout"},
				{Plugin: "t-echo", Command: "/echo two", User: "bob", Result: "ran echo"},
			}},
		{name: "edited comment runs nothing", action: event.ActionEdited, body: "/echo one", enabled: []string{"t-echo"}},
		{name: "disabled plugin does nothing", action: event.ActionCreated, body: "/echo one", enabled: []string{"t-broken"}},
		{name: "arguments that do not fit are not a command", action: event.ActionCreated, body: "/echo one two\n/shout loud", enabled: []string{"t-echo"}},
		{name: "panic and failures become one reply", action: event.ActionCreated, body: "/panic\n/fail\n/refuse", enabled: []string{"t-broken"},
			wantResults: []plugins.Result{
				{Plugin: "t-broken", Command: "/panic", User: "bob", Error: "plugins: t-broken failed unexpectedly (assignment to entry in nil map); this is a bug in fresnel"},
				{Plugin: "t-broken", Command: "/fail", User: "bob", Error: "backend down"},
				{Plugin: "t-broken", Command: "/refuse", User: "bob", Error: "you may not.", Refused: true},
			},
			wantReply: []string{"@bob:\n- `/panic`: plugins: t-broken failed unexpectedly (assignment to entry in nil map); this is a bug in fresnel\n- `/fail`: backend down\n- `/refuse`: you may not."}},
		{name: "one failure, one line", action: event.ActionCreated, body: "/refuse", enabled: []string{"t-broken"},
			wantResults: []plugins.Result{{Plugin: "t-broken", Command: "/refuse", User: "bob", Error: "you may not.", Refused: true}},
			wantReply:   []string{"@bob: `/refuse`: you may not."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran = nil
			scm := pluginstest.New()
			ev := pluginstest.CommentEvent("alice", "bob", tc.body)
			ev.Action = tc.action
			r := &plugins.Runner{Config: enable(tc.enabled...)}
			got := r.Handle(context.Background(), scm, ev)
			if diff := cmp.Diff(tc.wantResults, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRan, ran); diff != "" {
				t.Errorf("commands run (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantReply, scm.State().Comments); diff != "" {
				t.Errorf("replies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyFailureIsAResult(t *testing.T) {
	scm := pluginstest.New()
	scm.Fail = map[string]error{"Comment": errors.New("403")}
	r := &plugins.Runner{Config: enable("t-broken")}
	got := r.Handle(context.Background(), scm, pluginstest.CommentEvent("alice", "bob", "/fail"))
	if len(got) != 2 || !strings.Contains(got[1].Error, "403") {
		t.Errorf("a reply that cannot be posted must show in the results; got %+v", got)
	}
}

func TestEnabledFor(t *testing.T) {
	file := &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{
		"acme":             {Plugins: []string{"lgtm", "trigger"}, ExcludedRepos: []string{"legacy"}},
		"acme/widgets":     {Plugins: []string{"hold"}},
		"acme/legacy":      {Plugins: []string{"help"}},
		"group/sub":        {Plugins: []string{"wip"}},
		"group/sub/deeper": {Plugins: []string{"cancel"}},
	}}
	cases := []struct {
		name string
		file *triggers.PluginsFile
		repo string
		want []string
	}{
		{name: "no plugins.yaml", file: nil, repo: "acme/widgets", want: []string{"trigger"}},
		{name: "no enable map", file: &triggers.PluginsFile{}, repo: "acme/widgets", want: []string{"trigger"}},
		{name: "org then repo", file: file, repo: "acme/widgets", want: []string{"hold", "lgtm", "trigger"}},
		{name: "org only", file: file, repo: "acme/gadgets", want: []string{"lgtm", "trigger"}},
		{name: "excluded from the org", file: file, repo: "acme/legacy", want: []string{"help"}},
		{name: "nested groups", file: file, repo: "group/sub/deeper/repo", want: []string{"cancel", "wip"}},
		{name: "not covered", file: file, repo: "other/repo", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, plugins.EnabledFor(tc.file, tc.repo)); diff != "" {
				t.Errorf("EnabledFor(%s) (-want +got):\n%s", tc.repo, diff)
			}
		})
	}
}

func TestHelpListsOnlyEnabled(t *testing.T) {
	text := help.Text([]string{"t-echo"})
	for _, want := range []string{"`/echo`", "`/shout`"} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "/panic") {
		t.Errorf("help lists a command of a plugin that is not enabled:\n%s", text)
	}
}

func TestStatusLabeler(t *testing.T) {
	scm := pluginstest.New()
	bare := pluginstest.Bare{Commenter: scm, StatusReporter: scm, TrustChecker: scm, PullRequestReader: scm}
	a := &plugins.Agent{Event: pluginstest.CommentEvent("alice", "bob", ""), SCM: bare}
	for _, step := range []struct {
		label string
		on    bool
	}{{"do-not-merge/hold", true}, {"do-not-merge/hold", false}, {"lgtm", true}, {"lgtm", false}, {"kind/bug", false}} {
		if _, err := a.SetLabel(context.Background(), step.label, step.on); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, s := range scm.State().Statuses {
		got = append(got, s.Context+"="+string(s.State))
	}
	want := []string{"do-not-merge/hold=failure", "do-not-merge/hold=success", "lgtm=success", "lgtm=failure", "kind/bug=success"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(scm.State().Labels) != 0 {
		t.Errorf("labels were set on an SCM without labels: %v", scm.State().Labels)
	}
}

func TestStateChangesAreLogged(t *testing.T) {
	log, hook := logtest.NewNullLogger()
	r := &plugins.Runner{Config: enable("hold"), Log: log}
	r.Handle(context.Background(), pluginstest.New(), pluginstest.CommentEvent("alice", "bob", "/hold"))
	entries := hook.AllEntries()
	if len(entries) != 1 {
		t.Fatalf("%d log lines, want 1", len(entries))
	}
	f := entries[0].Data
	want := map[string]any{"user": "bob", "command": "/hold", "repo": "acme/widgets", "number": 7, "plugin": "hold", "result": "added do-not-merge/hold"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("log field %s = %v, want %v", k, f[k], v)
		}
	}
}
