package approve

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/pluginstest"
	"github.com/fresnel-ci/fresnel/triggers"
)

const (
	baseSHA = "b45e000000000000000000000000000000000001"
	headSHA = "0123456789abcdef0123456789abcdef01234567"
)

// repoOwners is the repository at baseSHA: a root approver, and one
// approver each for api/ and web/.
var repoOwners = map[string]string{
	"OWNERS":         "approvers:\n- root-approver\n",
	"api/OWNERS":     "approvers:\n- alice\nreviewers:\n- rita\n",
	"web/OWNERS":     "approvers:\n- bob\n",
	"docs/OWNERS":    "approvers:\n- dan\n",
	"OWNERS_ALIASES": "aliases:\n  unused:\n  - nobody\n",
}

func newSCM(files ...string) *pluginstest.ReviewSCM {
	s := pluginstest.NewReview()
	s.Files = files
	s.Content[baseSHA] = repoOwners
	s.PR = event.Event{HeadSHA: headSHA, BaseSHA: baseSHA, BaseRef: "main", Author: "carol"}
	return s
}

func runner(cfg triggers.ApproveSettings) *plugins.Runner {
	log := logrus.New()
	log.SetOutput(io.Discard)
	cfg.Repos = []string{"acme/widgets"}
	file := &triggers.PluginsFile{
		Plugins: map[string]triggers.OrgPlugins{"acme": {Plugins: []string{"approve"}}},
		Approve: []triggers.ApproveSettings{cfg},
	}
	return &plugins.Runner{Config: func() *triggers.PluginsFile { return file }, Log: log}
}

// comment is a new comment by user on the pull request authored by
// author, as GitHub delivers it: without the head commit, which the
// plugin reads.
func comment(s *pluginstest.ReviewSCM, author, user, body string) event.Event {
	c := s.AddComment(user, body)
	ev := pluginstest.CommentEvent(author, user, body)
	ev.HeadSHA, ev.Comment = "", &c
	return ev
}

func pullRequest(action event.Action, author string) event.Event {
	ev := pluginstest.PullRequestEvent(action, author, author)
	ev.BaseSHA, ev.BaseRef = baseSHA, "main"
	return ev
}

// step is one event handled in order; the expectations hold after it.
type step struct {
	// by and body make a comment event; otherwise ev is used.
	by, body string
	ev       *event.Event
	// push replaces the changed files before the event.
	push         []string
	wantApproved bool
	// wantUnapproved are OWNERS files the notification still lists.
	wantUnapproved []string
	// untouched says the event must not make the plugin do anything.
	untouched bool
}

func TestApprove(t *testing.T) {
	yes := true
	opened := pullRequest(event.ActionOpened, "carol")
	pushed := pullRequest(event.ActionSynchronize, "carol")
	byAlice := pullRequest(event.ActionOpened, "alice")
	tests := []struct {
		name   string
		cfg    triggers.ApproveSettings
		files  []string
		author string
		steps  []step
	}{
		{
			name: "both directories' approvers approve", files: []string{"api/handler.go", "web/index.html"},
			steps: []step{
				{ev: &opened, wantUnapproved: []string{"api/OWNERS", "web/OWNERS"}},
				{by: "alice", body: "/approve", wantUnapproved: []string{"web/OWNERS"}},
				{by: "bob", body: "looks right\n/approve", wantApproved: true},
			},
		},
		{
			name: "a root approver approves everything", files: []string{"api/handler.go", "web/index.html"},
			steps: []step{{by: "root-approver", body: "/approve", wantApproved: true}},
		},
		{
			name: "cancel withdraws", files: []string{"api/handler.go"},
			steps: []step{
				{by: "alice", body: "/approve", wantApproved: true},
				{by: "alice", body: "/approve cancel", wantUnapproved: []string{"api/OWNERS"}},
				{by: "alice", body: "/lh-approve", wantApproved: true},
				{by: "alice", body: "/remove-approve", wantUnapproved: []string{"api/OWNERS"}},
			},
		},
		{
			name: "someone not in OWNERS does not approve", files: []string{"api/handler.go"},
			steps: []step{{by: "dave", body: "/approve", wantUnapproved: []string{"api/OWNERS"}}},
		},
		{
			name: "an approval in a code block or a quote does not count", files: []string{"api/handler.go"},
			steps: []step{{by: "alice", body: "```\n/approve\n```\n> /approve", untouched: true}},
		},
		{
			name: "a push to a new directory needs its approver too", files: []string{"api/handler.go"},
			steps: []step{
				{by: "alice", body: "/approve", wantApproved: true},
				{ev: &pushed, push: []string{"api/handler.go", "docs/guide.md"}, wantUnapproved: []string{"docs/OWNERS"}},
				{by: "dan", body: "/approve", wantApproved: true},
			},
		},
		{
			name: "the author who is an approver approves implicitly", files: []string{"api/handler.go"}, author: "alice",
			steps: []step{{ev: &byAlice, wantApproved: true}},
		},
		{
			name: "require_self_approval: the author must say so", files: []string{"api/handler.go"}, author: "alice",
			cfg: triggers.ApproveSettings{RequireSelfApproval: &yes},
			steps: []step{
				{ev: &byAlice, wantUnapproved: []string{"api/OWNERS"}},
				{by: "alice", body: "/approve", wantApproved: true},
			},
		},
		{
			name: "lgtm_acts_as_approve", files: []string{"api/handler.go"}, cfg: triggers.ApproveSettings{LgtmActsAsApprove: true},
			steps: []step{
				{by: "alice", body: "/lgtm", wantApproved: true},
				{by: "alice", body: "/lgtm cancel", wantUnapproved: []string{"api/OWNERS"}},
			},
		},
		{
			name: "without lgtm_acts_as_approve /lgtm does not approve", files: []string{"api/handler.go"},
			steps: []step{{by: "alice", body: "/lgtm", untouched: true}},
		},
		{
			name: "issue_required: /approve no-issue", files: []string{"api/handler.go"}, cfg: triggers.ApproveSettings{IssueRequired: true},
			steps: []step{
				{by: "alice", body: "/approve"},
				{by: "alice", body: "/approve no-issue", wantApproved: true},
			},
		},
		{
			name: "issue_required: a linked issue", files: []string{"api/handler.go"}, cfg: triggers.ApproveSettings{IssueRequired: true},
			steps: []step{
				{by: "carol", body: "This fixes #12.", untouched: true},
				{by: "alice", body: "/approve", wantApproved: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSCM(tc.files...)
			if tc.author != "" {
				s.PR.Author = tc.author
			}
			r := runner(tc.cfg)
			for i, st := range tc.steps {
				if st.push != nil {
					s.Files = st.push
				}
				ev := comment(s, s.PR.Author, st.by, st.body)
				if st.ev != nil {
					ev = *st.ev
				}
				s.ResetCalls()
				for _, res := range r.Handle(context.Background(), s, ev) {
					if res.Error != "" {
						t.Fatalf("step %d: %s failed: %s", i, res.Plugin, res.Error)
					}
				}
				checkState(t, i, s, st)
			}
		})
	}
}

// checkState asserts the label, and that exactly one notification
// exists and says what the step expects.
func checkState(t *testing.T, i int, s *pluginstest.ReviewSCM, st step) {
	t.Helper()
	if st.untouched {
		if n := s.TotalCalls(); n != 0 || len(notifications(s)) != 0 {
			t.Errorf("step %d: made %d SCM calls and %d notifications, want none", i, n, len(notifications(s)))
		}
		return
	}
	if got := slices.Contains(s.State().Labels, Label); got != st.wantApproved {
		t.Errorf("step %d: approved label set = %v, want %v", i, got, st.wantApproved)
	}
	notes := notifications(s)
	if len(notes) != 1 {
		t.Fatalf("step %d: %d notification comments, want exactly 1", i, len(notes))
	}
	if got := strings.Contains(notes[0].Body, "**APPROVED**"); got != st.wantApproved {
		t.Errorf("step %d: notification says approved = %v, want %v:\n%s", i, got, st.wantApproved, notes[0].Body)
	}
	for _, f := range st.wantUnapproved {
		if !strings.Contains(notes[0].Body, "`"+f+"`") {
			t.Errorf("step %d: notification does not list %s:\n%s", i, f, notes[0].Body)
		}
	}
}

func notifications(s *pluginstest.ReviewSCM) []event.Comment {
	var out []event.Comment
	for _, c := range s.Comments() {
		if strings.Contains(c.Body, Marker) {
			out = append(out, c)
		}
	}
	return out
}

func TestNotificationEditedInPlace(t *testing.T) {
	s := newSCM("api/handler.go", "web/index.html")
	r := runner(triggers.ApproveSettings{})
	ctx := context.Background()
	r.Handle(ctx, s, pullRequest(event.ActionOpened, "carol"))
	first := notifications(s)
	r.Handle(ctx, s, comment(s, "carol", "alice", "/approve"))
	second := notifications(s)
	if len(first) != 1 || len(second) != 1 || first[0].ID != second[0].ID {
		t.Fatalf("notifications %v then %v; want one comment, the same one", first, second)
	}
	if first[0].Body == second[0].Body {
		t.Error("the notification was not updated after /approve")
	}
	if s.Calls()["Comment"] != 1 || s.Calls()["EditComment"] != 1 {
		t.Errorf("calls %v; want one Comment and one EditComment", s.Calls())
	}
	for _, want := range []string{"@alice", "`web/OWNERS`", "@bob"} {
		if !strings.Contains(second[0].Body, want) {
			t.Errorf("notification lacks %s:\n%s", want, second[0].Body)
		}
	}
	s.ResetCalls()
	r.Handle(ctx, s, pullRequest(event.ActionReopened, "carol"))
	if got := s.Calls()["EditComment"] + s.Calls()["Comment"]; got != 0 {
		t.Errorf("an unchanged decision wrote the notification %d times", got)
	}
}

func TestDuplicateNotificationsDeleted(t *testing.T) {
	s := newSCM("api/handler.go")
	s.AddComment(s.Bot, "old\n"+Marker)
	s.AddComment(s.Bot, "older copy\n"+Marker)
	runner(triggers.ApproveSettings{}).Handle(context.Background(), s, comment(s, "carol", "alice", "/approve"))
	notes := notifications(s)
	if len(notes) != 1 || !strings.Contains(notes[0].Body, "**APPROVED**") {
		t.Errorf("notifications after cleanup: %+v; want one, saying approved", notes)
	}
}

func TestOwnersReadOncePerBaseCommit(t *testing.T) {
	s := newSCM("api/handler.go", "web/index.html")
	// Fresh commits on each run: the OWNERS cache lives as long as the process.
	s.PR.BaseSHA = fmt.Sprintf("c0ffee%034x", time.Now().UnixNano())
	s.Content[s.PR.BaseSHA] = repoOwners
	r := runner(triggers.ApproveSettings{})
	ctx := context.Background()
	r.Handle(ctx, s, comment(s, "carol", "alice", "/approve"))
	cold := s.Calls()["ReadFile"]
	if cold == 0 {
		t.Fatal("no OWNERS file was read")
	}
	s.ResetCalls()
	r.Handle(ctx, s, comment(s, "carol", "bob", "/approve"))
	if got := s.Calls()["ReadFile"]; got != 0 {
		t.Errorf("second decision on the same base read %d files, want 0 (cached)", got)
	}
	s.PR.BaseSHA = fmt.Sprintf("c0ffee%034x", time.Now().UnixNano()+1)
	s.Content[s.PR.BaseSHA] = map[string]string{"OWNERS": "approvers:\n- zed\n"}
	s.ResetCalls()
	r.Handle(ctx, s, comment(s, "carol", "bob", "/approve"))
	if got := s.Calls()["ReadFile"]; got == 0 {
		t.Error("a new base commit was not read")
	}
	if slices.Contains(s.State().Labels, Label) {
		t.Error("approved under the new base's OWNERS, where only zed approves")
	}
}

func TestHandAddedLabel(t *testing.T) {
	tests := []struct {
		name        string
		approvers   []string
		wantLabel   bool
		wantComment bool
	}{
		{name: "not approved: removed with a comment", wantLabel: false, wantComment: true},
		{name: "approved: left alone", approvers: []string{"alice"}, wantLabel: true, wantComment: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSCM("api/handler.go")
			for _, a := range tc.approvers {
				s.AddComment(a, "/approve")
			}
			_ = s.AddLabel(context.Background(), event.Target{}, Label)
			ev := pullRequest(event.ActionLabeled, "carol")
			ev.Sender, ev.Label = "mallory", Label
			runner(triggers.ApproveSettings{}).Handle(context.Background(), s, ev)
			if got := slices.Contains(s.State().Labels, Label); got != tc.wantLabel {
				t.Errorf("label set = %v, want %v", got, tc.wantLabel)
			}
			var told bool
			for _, c := range s.Comments() {
				told = told || strings.Contains(c.Body, "@mallory")
			}
			if told != tc.wantComment {
				t.Errorf("comment to @mallory = %v, want %v", told, tc.wantComment)
			}
		})
	}
}

func TestIgnoredEvents(t *testing.T) {
	closed := pullRequest(event.ActionSynchronize, "carol")
	closed.Closed = true
	edited := pullRequest(event.ActionEdited, "carol")
	other := pullRequest(event.ActionLabeled, "carol")
	other.Label = "kind/bug"
	tests := map[string]event.Event{
		"closed pull request": closed,
		"title edit":          edited,
		"another label":       other,
		"comment without a command": func() event.Event {
			ev := pluginstest.CommentEvent("carol", "alice", "I approve of this in spirit")
			return ev
		}(),
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			s := newSCM("api/handler.go")
			runner(triggers.ApproveSettings{}).Handle(context.Background(), s, ev)
			if n := s.TotalCalls(); n != 0 {
				t.Errorf("made %d SCM calls (%v), want none", n, s.Calls())
			}
		})
	}
}

func TestMissingRoles(t *testing.T) {
	bare := pluginstest.Bare{Commenter: pluginstest.New(), StatusReporter: pluginstest.New(), TrustChecker: pluginstest.New(), PullRequestReader: pluginstest.New()}
	ev := pluginstest.CommentEvent("carol", "alice", "/approve")
	res := runner(triggers.ApproveSettings{}).Handle(context.Background(), bare, ev)
	var got string
	for _, r := range res {
		if r.Plugin == "approve" {
			got = r.Error
		}
	}
	if !strings.Contains(got, "cannot") {
		t.Errorf("approve on an SCM without the roles: error %q, want one saying what it cannot do", got)
	}
	push := pullRequest(event.ActionSynchronize, "carol")
	for _, r := range runner(triggers.ApproveSettings{}).Handle(context.Background(), bare, push) {
		if r.Plugin == "approve" && (r.Error != "" || !strings.Contains(r.Result, "skipped")) {
			t.Errorf("a push on an SCM without the roles: %+v, want a skip without error", r)
		}
	}
}

func TestReadApprovals(t *testing.T) {
	c := func(author, body string) event.Comment { return event.Comment{Author: author, Body: body} }
	tests := []struct {
		name     string
		comments []event.Comment
		lgtm     bool
		want     Approvals
	}{
		{name: "in order", comments: []event.Comment{c("a", "/approve"), c("b", "/APPROVE"), c("a", "/approve cancel")}, want: Approvals{By: []string{"b"}}},
		{name: "no-issue", comments: []event.Comment{c("a", "/approve no-issue")}, want: Approvals{By: []string{"a"}, NoIssue: true}},
		{name: "no-issue withdrawn", comments: []event.Comment{c("a", "/approve no-issue"), c("a", "/approve cancel"), c("b", "/approve")}, want: Approvals{By: []string{"b"}}},
		{name: "unknown argument is not an approval", comments: []event.Comment{c("a", "/approve please")}, want: Approvals{}},
		{name: "notification skipped", comments: []event.Comment{c("bot", "/approve\n"+Marker)}, want: Approvals{}},
		{name: "lgtm counts when asked", lgtm: true, comments: []event.Comment{c("a", "/lgtm"), c("b", "/lgtm"), c("b", "/remove-lgtm")}, want: Approvals{By: []string{"a"}}},
		{name: "same login, other case", comments: []event.Comment{c("Alice", "/approve"), c("alice", "/approve cancel")}, want: Approvals{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ReadApprovals(tc.comments, tc.lgtm)
			if !slices.Equal(got.By, tc.want.By) || got.NoIssue != tc.want.NoIssue {
				t.Errorf("ReadApprovals = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// BenchmarkApproveWarm measures /approve on a 50-file pull request across
// ten directories once the base commit's OWNERS files are cached: each op
// is an approval that changes the decision (the label and the
// notification both change).
func BenchmarkApproveWarm(b *testing.B) {
	content := map[string]string{"OWNERS": "approvers:\n- root-approver\n"}
	var files []string
	for d := range 10 {
		content[fmt.Sprintf("pkg%d/OWNERS", d)] = fmt.Sprintf("approvers:\n- owner%d\n", d)
		for f := range 5 {
			files = append(files, fmt.Sprintf("pkg%d/file%d.go", d, f))
		}
	}
	r := runner(triggers.ApproveSettings{})
	ctx := context.Background()
	fresh := func() *pluginstest.ReviewSCM {
		s := newSCM(files...)
		s.Content[baseSHA] = content
		r.Handle(ctx, s, pullRequest(event.ActionOpened, "carol")) // warms the cache, posts the notification
		s.ResetCalls()
		return s
	}
	calls := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := fresh()
		ev := comment(s, "carol", "root-approver", "/approve")
		b.StartTimer()
		r.Handle(ctx, s, ev)
		b.StopTimer()
		if !slices.Contains(s.State().Labels, Label) {
			b.Fatal("not approved")
		}
		calls += s.TotalCalls()
		b.StartTimer()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "scm-calls/op")
}

// votingSCM is an SCM like Gerrit: votes and hashtags, comments that
// cannot be listed or edited, files read one by one.
type votingSCM struct {
	pluginstest.Bare
	review *pluginstest.ReviewSCM
	votes  map[string]int
	label  string
}

func (v *votingSCM) ChangedFiles(ctx context.Context, ev event.Event) ([]string, error) {
	return v.review.ChangedFiles(ctx, ev)
}

func (v *votingSCM) ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error) {
	return v.review.ReadFile(ctx, repo, path, ref)
}

func (v *votingSCM) Labels(ctx context.Context, t event.Target) ([]string, error) {
	return v.review.Labels(ctx, t)
}

func (v *votingSCM) AddLabel(ctx context.Context, t event.Target, l string) error {
	return v.review.AddLabel(ctx, t, l)
}

func (v *votingSCM) RemoveLabel(ctx context.Context, t event.Target, l string) error {
	return v.review.RemoveLabel(ctx, t, l)
}

func (v *votingSCM) Votes(_ context.Context, _ event.Target, label string) (map[string]int, error) {
	v.label = label
	return v.votes, nil
}

func TestApproveByVotes(t *testing.T) {
	review := newSCM("api/handler.go", "web/index.html")
	s := &votingSCM{Bare: pluginstest.Bare{Commenter: review, StatusReporter: review.SCM, TrustChecker: review, PullRequestReader: review}, review: review}
	voteComment := pluginstest.CommentEvent("carol", "alice", "")
	voteComment.BaseSHA = baseSHA
	tests := []struct {
		name         string
		cfg          triggers.ApproveSettings
		votes        map[string]int
		wantLabel    string
		wantApproved bool
		wantNotes    int
		// wantSays is what the latest message says.
		wantSays []string
	}{
		{name: "one +2 is not enough", votes: map[string]int{"alice": 2, "bob": 1}, wantLabel: "Code-Review", wantNotes: 0},
		{name: "both directories +2", votes: map[string]int{"alice": 2, "bob": 2}, wantLabel: "Code-Review", wantApproved: true, wantNotes: 1,
			wantSays: []string{"**APPROVED**", "withdrawn by removing the vote"}},
		{name: "same again: no second notification", votes: map[string]int{"alice": 2, "bob": 2}, wantLabel: "Code-Review", wantApproved: true, wantNotes: 1},
		{name: "configured label and value", cfg: triggers.ApproveSettings{VoteLabel: "Owners-Approval", VoteValue: 1},
			votes: map[string]int{"alice": 1}, wantLabel: "Owners-Approval", wantNotes: 2,
			wantSays: []string{"**NOT APPROVED**", "`web/OWNERS`", "approves by voting `Owners-Approval +1`"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.votes = tc.votes
			for _, r := range runner(tc.cfg).Handle(context.Background(), s, voteComment) {
				if r.Error != "" {
					t.Fatalf("approve failed: %s", r.Error)
				}
			}
			if s.label != tc.wantLabel {
				t.Errorf("read votes on %q, want %q", s.label, tc.wantLabel)
			}
			if got := slices.Contains(review.State().Labels, Label); got != tc.wantApproved {
				t.Errorf("approved = %v, want %v", got, tc.wantApproved)
			}
			// Messages cannot be edited or listed, so they carry no marker:
			// every comment is a notification.
			notes := review.Comments()
			if len(notes) != tc.wantNotes {
				t.Fatalf("%d notifications so far, want %d (one per change of the decision)", len(notes), tc.wantNotes)
			}
			if tc.wantSays != nil {
				checkVoteMessage(t, notes[len(notes)-1].Body, tc.wantSays)
			}
		})
	}
}

// checkVoteMessage checks a message of an SCM that votes: it says each of
// want and nothing of /approve comments, edits or the marker.
func checkVoteMessage(t *testing.T, body string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("message does not say %q:\n%s", w, body)
		}
	}
	for _, wrong := range []string{"/approve", "kept up to date", Marker} {
		if strings.Contains(body, wrong) {
			t.Errorf("message says %q, which does not hold where approvals are votes:\n%s", wrong, body)
		}
	}
}

// statusSCM is an SCM like Bitbucket: comments that can be listed and
// edited, files, but no labels; label state is a commit status.
type statusSCM struct {
	pluginstest.Bare
	review *pluginstest.ReviewSCM
}

func (s *statusSCM) ChangedFiles(ctx context.Context, ev event.Event) ([]string, error) {
	return s.review.ChangedFiles(ctx, ev)
}

func (s *statusSCM) ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error) {
	return s.review.ReadFile(ctx, repo, path, ref)
}

func (s *statusSCM) ListComments(ctx context.Context, t event.Target) ([]event.Comment, error) {
	return s.review.ListComments(ctx, t)
}

func (s *statusSCM) EditComment(ctx context.Context, t event.Target, id, body string) error {
	return s.review.EditComment(ctx, t, id, body)
}

func (s *statusSCM) DeleteComment(ctx context.Context, t event.Target, id string) error {
	return s.review.DeleteComment(ctx, t, id)
}

func TestApproveAsStatusWithoutLabels(t *testing.T) {
	review := newSCM("api/handler.go")
	s := &statusSCM{Bare: pluginstest.Bare{Commenter: review, StatusReporter: review.SCM, TrustChecker: review, PullRequestReader: review}, review: review}
	r := runner(triggers.ApproveSettings{})
	r.Handle(context.Background(), s, comment(review, "carol", "alice", "/approve"))
	r.Handle(context.Background(), s, comment(review, "carol", "alice", "/approve cancel"))
	var states []string
	for _, st := range review.State().Statuses {
		if st.Context == Label {
			states = append(states, string(st.State))
		}
	}
	if !slices.Equal(states, []string{"success", "failure"}) {
		t.Errorf("approved statuses %v, want success then failure", states)
	}
	if n := len(notifications(review)); n != 1 {
		t.Errorf("%d notifications, want one edited in place", n)
	}
}
