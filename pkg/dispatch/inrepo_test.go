package dispatch

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

// repoSCM is a provider that also reads repository files (at the head
// commit he4d only) and sets statuses.
type repoSCM struct {
	*fakeSCM
	files    map[string]string
	reads    int
	readErr  error
	statuses []providers.Status
}

func (p *repoSCM) ReadFile(_ context.Context, _, file, ref string) ([]byte, error) {
	p.reads++
	content, ok := p.files[file]
	switch {
	case p.readErr != nil:
		return nil, p.readErr
	case !ok || ref != "he4d":
		return nil, fmt.Errorf("%w: %s", providers.ErrNotFound, file)
	}
	return []byte(content), nil
}

func (p *repoSCM) ListDir(_ context.Context, _, dir, ref string) ([]string, error) {
	p.reads++
	if p.readErr != nil {
		return nil, p.readErr
	}
	var names []string
	for file := range p.files {
		if rest, ok := strings.CutPrefix(file, dir+"/"); ok && ref == "he4d" {
			name, _, nested := strings.Cut(rest, "/")
			if nested {
				name += "/"
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %s", providers.ErrNotFound, dir)
	}
	sort.Strings(names)
	return names, nil
}

func (p *repoSCM) SetStatus(_ context.Context, ref event.CommitRef, s providers.Status) error {
	if ref.SHA != "he4d" {
		return fmt.Errorf("status on %s", ref.SHA)
	}
	p.statuses = append(p.statuses, s)
	return nil
}

const inRepoJobs = `
presubmits:
- name: integration
  always_run: true
  spec: {containers: [{image: x, command: ["true"]}]}
- name: manual-in-repo
  spec: {containers: [{image: x, command: ["true"]}]}
`

func withInRepo(d *Dispatcher, repos ...string) *Dispatcher {
	d.InRepo = &InRepo{Loader: inrepo.NewLoader(10), Enabled: func(repo string) bool {
		for _, r := range repos {
			if ok, _ := path.Match(r, repo); ok {
				return true
			}
		}
		return false
	}}
	return d
}

func TestHandleInRepo(t *testing.T) {
	tests := []struct {
		name         string
		optIn        string
		files        map[string]string
		ev           event.Event
		wantJobs     []string
		wantStatus   string // description of the failure status, "" for none
		wantWarnings int
		wantReads    bool
	}{
		{name: "in-repo jobs run beside central ones", optIn: "org/*", files: map[string]string{".prow.yaml": inRepoJobs},
			ev: pullRequest(event.ActionOpened), wantJobs: []string{"integration", "lint", "unit"}, wantReads: true},
		{name: "a repository that does not opt in", optIn: "other/*", files: map[string]string{".prow.yaml": inRepoJobs},
			ev: pullRequest(event.ActionOpened), wantJobs: []string{"lint", "unit"}},
		{name: "an action that starts nothing reads nothing", optIn: "org/repo", files: map[string]string{".prow.yaml": inRepoJobs},
			ev: pullRequest(event.ActionClosed)},
		{name: "invalid file: central jobs run, the commit fails", optIn: "org/repo", files: map[string]string{".prow.yaml": "presubmits:\n- name: x\n  bogus: 1\n  spec: {containers: [{image: x, command: [\"true\"]}]}\n"},
			ev: pullRequest(event.ActionOpened), wantJobs: []string{"lint", "unit"}, wantReads: true, wantWarnings: 1,
			wantStatus: `.prow.yaml:3: presubmit "x" of org/repo: unknown field "bogus"`},
		{name: "a name of a central job", optIn: "org/repo", files: map[string]string{".prow.yaml": "presubmits:\n- name: unit\n  always_run: true\n  spec: {containers: [{image: busybox, command: [\"false\"]}]}\n"},
			ev: pullRequest(event.ActionOpened), wantJobs: []string{"lint", "unit"}, wantReads: true, wantWarnings: 1,
			wantStatus: `.prow.yaml:2: presubmit "unit": a central presubmit has this name; the in-repo job is not used`},
		{name: "/test of an in-repo job", optIn: "org/repo", files: map[string]string{".prow.yaml": inRepoJobs},
			ev: comment("/test manual-in-repo"), wantJobs: []string{"manual-in-repo"}, wantReads: true},
		{name: "push reads the pushed commit", optIn: "org/repo", files: map[string]string{".prow.yaml": "postsubmits:\n- name: deploy\n  spec: {containers: [{image: x, command: [\"true\"]}]}\n"},
			ev:       event.Event{Provider: "github", Instance: "public", Kind: event.KindPush, Repo: repo, Ref: "refs/heads/main", BaseRef: "main", HeadSHA: "he4d"},
			wantJobs: []string{"deploy"}, wantReads: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := newDispatcher(t)
			withInRepo(d, tc.optIn)
			scm := &repoSCM{fakeSCM: &fakeSCM{}, files: tc.files}
			out, err := d.Handle(context.Background(), instance(scm), tc.ev)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if diff := cmp.Diff(tc.wantJobs, l.jobs); diff != "" {
				t.Errorf("launched jobs (-want +got):\n%s", diff)
			}
			if (scm.reads > 0) != tc.wantReads {
				t.Errorf("%d file reads, want reads: %v", scm.reads, tc.wantReads)
			}
			if len(out.Warnings) != tc.wantWarnings {
				t.Errorf("warnings = %q, want %d", out.Warnings, tc.wantWarnings)
			}
			var want []providers.Status
			if tc.wantStatus != "" {
				want = []providers.Status{{State: providers.StateFailure, Context: InRepoContext, Description: tc.wantStatus}}
			}
			if diff := cmp.Diff(want, scm.statuses); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

// A commit whose files could not be read fails; once they are read, the
// failure is cleared, and a second event on the commit reads nothing.
func TestHandleInRepoReadFailureThenRecovery(t *testing.T) {
	d, l := newDispatcher(t)
	withInRepo(d, "org/repo")
	scm := &repoSCM{fakeSCM: &fakeSCM{}, files: map[string]string{".prow.yaml": inRepoJobs}, readErr: errors.New("502 Bad Gateway")}
	failures, successes := inRepoLoads("failure"), inRepoLoads("success")
	out, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionOpened))
	if err != nil || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "502 Bad Gateway") {
		t.Fatalf("Handle: %v, warnings %q", err, out.Warnings)
	}
	scm.readErr = nil
	if _, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionSynchronize)); err != nil {
		t.Fatal(err)
	}
	reads := scm.reads
	if _, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionReopened)); err != nil {
		t.Fatal(err)
	}
	if scm.reads != reads {
		t.Errorf("a third event on the commit read %d files, want 0", scm.reads-reads)
	}
	if f, s := inRepoLoads("failure")-failures, inRepoLoads("success")-successes; f != 1 || s != 2 {
		t.Errorf("fresnel_inrepo_loads_total grew by %v failures and %v successes, want 1 and 2", f, s)
	}
	var states []providers.State
	for _, s := range scm.statuses {
		states = append(states, s.State)
	}
	if diff := cmp.Diff([]providers.State{providers.StateFailure, providers.StateSuccess}, states); diff != "" {
		t.Errorf("in-repo statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"lint", "unit", "integration", "lint", "unit", "integration", "lint", "unit"}, l.jobs); diff != "" {
		t.Errorf("launched jobs (-want +got):\n%s", diff)
	}
}

func TestHandleInRepoWithoutContentReader(t *testing.T) {
	d, l := newDispatcher(t)
	withInRepo(d, "*/*")
	out, err := d.Handle(context.Background(), instance(intakeOnly{}), pullRequest(event.ActionOpened))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lint", "unit"}, l.jobs); diff != "" {
		t.Errorf("launched jobs (-want +got):\n%s", diff)
	}
	want := []string{
		"in-repo jobs: github cannot read repository files, so in-repo jobs are not supported",
		"in-repo jobs: the failure could not be reported: github cannot set statuses",
	}
	if diff := cmp.Diff(want, out.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestDescribe(t *testing.T) {
	long := errors.New("triggers: .prow.yaml:1: " + strings.Repeat("x", 200))
	if got := describe(long); len([]rune(got)) != maxDescription || !strings.HasPrefix(got, ".prow.yaml:1: xx") {
		t.Errorf("describe(long) = %q (%d runes)", got, len([]rune(got)))
	}
	two := errors.Join(errors.New("triggers: a.yaml:1: one"), errors.New("triggers: b.yaml:2: two"))
	if got := describe(two); got != "(2 problems) a.yaml:1: one" {
		t.Errorf("describe(two) = %q", got)
	}
}

func inRepoLoads(outcome string) float64 {
	return testutil.ToFloat64(metrics.InRepoLoads.WithLabelValues(outcome))
}

func TestHandleInRepoWarningsAndPlugins(t *testing.T) {
	d, l := newDispatcher(t)
	withInRepo(d, "org/repo")
	central := d.Config()
	withPlugins := *central
	withPlugins.Plugins = &triggers.Plugins{Triggers: []triggers.TriggerSettings{{Repos: []string{"org"}, SkipDraftPR: true}}}
	d.Config = func() *triggers.Config { return &withPlugins }
	files := map[string]string{".prow.yaml": "presubmits:\n- name: integration\n  always_run: true\n  cluster: gpu\n  spec: {containers: [{image: x, command: [\"true\"]}]}\n"}
	scm := &repoSCM{fakeSCM: &fakeSCM{}, files: files}

	out, err := d.Handle(context.Background(), instance(scm), pullRequest(event.ActionOpened))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`in-repo jobs: .prow.yaml:4: warning: presubmit "integration" of org/repo: cluster is not supported by fresnel: runs go to the cluster fresnel runs in`}
	if diff := cmp.Diff(want, out.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"integration", "lint", "unit"}, l.jobs); diff != "" {
		t.Errorf("launched (-want +got):\n%s", diff)
	}

	// The central plugins.yaml still applies once in-repo jobs are merged in.
	draft := pullRequest(event.ActionSynchronize)
	draft.Draft = true
	out, err = d.Handle(context.Background(), instance(scm), draft)
	if err != nil || len(out.Runs) != 0 {
		t.Errorf("a draft with skip_draft_pr ran %+v (err %v)", out.Runs, err)
	}
}
