package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

const jobsYAML = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: lint
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: manual
    context: ci/manual
    spec: {containers: [{image: x, command: ["true"]}]}
`

// fakeLauncher records what it is asked to launch and cancel.
type fakeLauncher struct {
	mu        sync.Mutex
	calls     int
	jobs      []string
	event     event.Event
	err       error
	cancels   int
	cancelErr error
}

func (l *fakeLauncher) CancelPullRequest(_ context.Context, ev event.Event) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cancels++
	return []string{fmt.Sprintf("run-of-%d", ev.Number)}, l.cancelErr
}

func (l *fakeLauncher) Launch(_ context.Context, ev event.Event, jobs []*triggers.Job) ([]launch.Run, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	l.event = ev
	runs := make([]launch.Run, 0, len(jobs))
	for _, j := range jobs {
		l.jobs = append(l.jobs, j.Name)
		runs = append(runs, launch.Run{Name: j.Name + "-run", Job: j.Name, Context: j.Context, Created: true})
	}
	return runs, l.err
}

// fakeSCM can read pull requests and their changed files, and counts it.
type fakeSCM struct {
	completes int
	changes   int
	files     []string
	err       error
}

func (p *fakeSCM) Verify(context.Context, *http.Request, []byte) error { return nil }

func (p *fakeSCM) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func (p *fakeSCM) CompletePullRequest(_ context.Context, ev event.Event) (event.Event, error) {
	p.completes++
	if p.err != nil {
		return ev, p.err
	}
	ev.BaseRef, ev.HeadSHA = "main", "he4d"
	return ev, nil
}

// IsOrgMember trusts everyone: the tests of trust are in trust_test.go.
func (p *fakeSCM) IsOrgMember(context.Context, string, string) (bool, error) { return true, nil }

func (p *fakeSCM) IsCollaborator(context.Context, string, string) (bool, error) { return true, nil }

func (p *fakeSCM) ChangedFiles(context.Context, event.Event) ([]string, error) {
	p.changes++
	return p.files, nil
}

// intakeOnly is a provider that can neither read pull requests nor list
// changed files; it trusts everyone.
type intakeOnly struct{}

func (intakeOnly) IsOrgMember(context.Context, string, string) (bool, error) { return true, nil }

func (intakeOnly) IsCollaborator(context.Context, string, string) (bool, error) { return true, nil }

func (intakeOnly) Verify(context.Context, *http.Request, []byte) error { return nil }

func (intakeOnly) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func newDispatcher(t *testing.T) (*Dispatcher, *fakeLauncher) {
	t.Helper()
	cfg, err := triggers.Parse([]byte(jobsYAML), "config.yaml")
	if err != nil {
		t.Fatalf("triggers.Parse: %v", err)
	}
	l := &fakeLauncher{}
	return &Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: l}, l
}

func instance(intake providers.Intake) providers.Instance {
	return providers.Instance{Config: providers.Config{Kind: "github", Name: "public"}, Intake: intake}
}

var repo = event.Repo{Owner: "org", Name: "repo", FullName: "org/repo"}

func pullRequest(action event.Action) event.Event {
	return event.Event{Provider: "github", Instance: "public", Delivery: "d-1", Kind: event.KindPullRequest, Action: action,
		Repo: repo, Number: 7, BaseRef: "main", HeadSHA: "he4d", Author: "alice", Sender: "alice"}
}

// comment is a new comment on pull request 7, without the base branch and
// head SHA a comment webhook usually lacks.
func comment(body string) event.Event {
	return event.Event{Provider: "github", Instance: "public", Delivery: "d-2", Kind: event.KindComment, Action: event.ActionCreated,
		Repo: repo, Number: 7, Comment: &event.Comment{Body: body, Author: "alice"}}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name          string
		ev            event.Event
		files         []string
		wantJobs      []string
		wantCompletes int
		wantChanges   int
	}{
		{name: "opened runs always_run jobs", ev: pullRequest(event.ActionOpened), wantJobs: []string{"lint", "unit"}, wantChanges: 1},
		{name: "opened with docs changes", ev: pullRequest(event.ActionOpened), files: []string{"docs/a.md"}, wantJobs: []string{"docs", "lint", "unit"}, wantChanges: 1},
		{name: "closed runs nothing", ev: pullRequest(event.ActionClosed)},
		{name: "comment without a command", ev: comment("looks good to me"), wantCompletes: 0},
		{name: "comment quoting a command mid-line", ev: comment("please run /test manual"), wantCompletes: 0},
		{name: "/test manual", ev: comment("/test manual"), wantJobs: []string{"manual"}, wantCompletes: 1},
		{name: "/test all", ev: comment("/test all"), wantJobs: []string{"lint", "unit"}, wantCompletes: 1, wantChanges: 1},
		{name: "comment on another repo's PR", ev: func() event.Event {
			ev := comment("/test manual")
			ev.Repo = event.Repo{FullName: "org/other"}
			return ev
		}(), wantCompletes: 0},
		{name: "comment that knows its commit", ev: func() event.Event {
			ev := comment("/test manual")
			ev.BaseRef, ev.HeadSHA = "main", "he4d"
			return ev
		}(), wantJobs: []string{"manual"}, wantCompletes: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := newDispatcher(t)
			scm := &fakeSCM{files: tc.files}
			out, err := d.Handle(context.Background(), instance(scm), tc.ev)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if diff := cmp.Diff(tc.wantJobs, l.jobs); diff != "" {
				t.Errorf("launched jobs (-want +got):\n%s", diff)
			}
			wantCalls := 0
			if len(tc.wantJobs) > 0 {
				wantCalls = 1
			}
			if l.calls != wantCalls {
				t.Errorf("Launch called %d times, want %d", l.calls, wantCalls)
			}
			if scm.completes != tc.wantCompletes {
				t.Errorf("CompletePullRequest called %d times, want %d", scm.completes, tc.wantCompletes)
			}
			if scm.changes != tc.wantChanges {
				t.Errorf("ChangedFiles called %d times, want %d", scm.changes, tc.wantChanges)
			}
			if out.Runs == nil {
				t.Error("Outcome.Runs is nil, want an empty list at least (answered as JSON)")
			}
			if len(out.Runs) != len(tc.wantJobs) {
				t.Errorf("Outcome.Runs = %+v, want %d runs", out.Runs, len(tc.wantJobs))
			}
			if len(out.Runs)+len(out.Skipped) != 4 && tc.ev.Repo.FullName == "org/repo" {
				t.Errorf("Outcome has %d runs and %d skips, want every one of the 4 jobs accounted for", len(out.Runs), len(out.Skipped))
			}
		})
	}
}

func TestHandleLaunchesCompletedComment(t *testing.T) {
	d, l := newDispatcher(t)
	if _, err := d.Handle(context.Background(), instance(&fakeSCM{}), comment("/test manual")); err != nil {
		t.Fatal(err)
	}
	if l.event.HeadSHA != "he4d" || l.event.BaseRef != "main" {
		t.Errorf("launched for %s@%s, want the completed main@he4d", l.event.BaseRef, l.event.HeadSHA)
	}
}

func TestHandleRetestUsesFailedContexts(t *testing.T) {
	d, l := newDispatcher(t)
	asked := 0
	d.FailedContexts = func(_ context.Context, ev event.Event) (map[string]bool, error) {
		asked++
		if ev.HeadSHA != "he4d" {
			t.Errorf("FailedContexts asked about %q, want the completed head he4d", ev.HeadSHA)
		}
		// unit passed; the others failed.
		return map[string]bool{"ci/manual": true, "lint": true, "unit": false}, nil
	}
	if _, err := d.Handle(context.Background(), instance(&fakeSCM{}), comment("/retest")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"lint", "manual"}, l.jobs); diff != "" {
		t.Errorf("launched jobs (-want +got):\n%s", diff)
	}
	if asked != 1 {
		t.Errorf("FailedContexts called %d times, want 1", asked)
	}
}

func TestHandleErrors(t *testing.T) {
	down := errors.New("scm down")
	tests := []struct {
		name       string
		intake     providers.Intake
		launchErr  error
		ev         event.Event
		wantErr    string
		wantLaunch int
	}{
		{name: "provider cannot read pull requests", intake: intakeOnly{}, ev: comment("/test manual"), wantErr: "cannot read pull requests"},
		{name: "reading the pull request fails", intake: &fakeSCM{err: down}, ev: comment("/test manual"), wantErr: "scm down"},
		{name: "launch fails", intake: &fakeSCM{}, launchErr: errors.New("apiserver down"), ev: pullRequest(event.ActionOpened), wantErr: "apiserver down", wantLaunch: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, l := newDispatcher(t)
			l.err = tc.launchErr
			_, err := d.Handle(context.Background(), instance(tc.intake), tc.ev)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Handle() error = %v, want one containing %q", err, tc.wantErr)
			}
			if l.calls != tc.wantLaunch {
				t.Errorf("Launch called %d times, want %d", l.calls, tc.wantLaunch)
			}
		})
	}
}

func TestHandleWithoutChangeLister(t *testing.T) {
	d, l := newDispatcher(t)
	ev := pullRequest(event.ActionOpened)
	if _, err := d.Handle(context.Background(), instance(intakeOnly{}), ev); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if diff := cmp.Diff([]string{"lint", "unit"}, l.jobs); diff != "" {
		t.Errorf("launched jobs (-want +got):\n%s", diff)
	}
}

func TestHandlePushReadsUnlistedFilesOnlyWhenNeeded(t *testing.T) {
	const postsubmits = `
postsubmits:
  org/repo:
  - name: publish
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: docs-site
    run_if_changed: '^docs/'
    spec: {containers: [{image: x, command: ["true"]}]}
`
	cfg, err := triggers.Parse([]byte(postsubmits), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l := &fakeLauncher{}
	d := &Dispatcher{Config: func() *triggers.Config { return cfg }, Launcher: l}
	push := event.Event{Provider: "bitbucketserver", Instance: "dc", Delivery: "p-1", Kind: event.KindPush, Repo: repo,
		Ref: "refs/heads/main", BaseRef: "main", BaseSHA: "01d", HeadSHA: "he4d"}

	scm := &fakeSCM{files: []string{"docs/guide.md"}}
	if _, err := d.Handle(context.Background(), instance(scm), push); err != nil {
		t.Fatal(err)
	}
	if scm.changes != 0 || !cmp.Equal(l.jobs, []string{"publish"}) {
		t.Errorf("a push that lists its files (none here): %d API reads, jobs %v; want 0 and publish", scm.changes, l.jobs)
	}

	l.jobs = nil
	push.FilesUnlisted = true
	if _, err := d.Handle(context.Background(), instance(scm), push); err != nil {
		t.Fatal(err)
	}
	if scm.changes != 1 || !cmp.Equal(l.jobs, []string{"docs-site", "publish"}) {
		t.Errorf("a push that lists no files: %d API reads, jobs %v; want 1 and docs-site, publish", scm.changes, l.jobs)
	}
}

func TestHandleClosedPullRequestCancelsItsRuns(t *testing.T) {
	d, l := newDispatcher(t)
	out, err := d.Handle(context.Background(), instance(&fakeSCM{}), pullRequest(event.ActionClosed))
	if err != nil {
		t.Fatal(err)
	}
	if l.cancels != 1 || !cmp.Equal(out.Cancelled, []string{"run-of-7"}) || len(l.jobs) != 0 {
		t.Errorf("cancels %d, answer %+v, launched %v; want one cancel named in the answer and nothing launched", l.cancels, out, l.jobs)
	}
	if _, err := d.Handle(context.Background(), instance(&fakeSCM{}), pullRequest(event.ActionSynchronize)); err != nil || l.cancels != 1 {
		t.Errorf("an update cancelled (%d cancels, err %v): only closing does", l.cancels, err)
	}

	l.cancelErr = errors.New("apiserver down")
	if _, err := d.Handle(context.Background(), instance(&fakeSCM{}), pullRequest(event.ActionClosed)); err == nil {
		t.Error("a failed cancel must fail the delivery, so the SCM redelivers it")
	}
}
