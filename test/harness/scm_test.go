package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all"
)

const (
	testSHA  = "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c"
	testHash = "8f3a5b1c2d4e"
)

var testSecret = []byte("harness-secret")

// delivery is one webhook as an SCM sends it.
type delivery struct {
	path   string
	header http.Header
	body   []byte
}

// scmCase is one SCM: a provider instance on its stand-in, a pull request
// delivery and a comment delivery, and what the stand-in must read back.
type scmCase struct {
	name    string
	cfg     providers.Config
	fake    *FakeSCM
	pr      delivery
	comment delivery
	// forged is pr with a wrong secret.
	forged delivery
	wantPR event.Event
	// reported reads back the contexts and states the stand-in received.
	reported func(*FakeSCM) []string
	comments func(*FakeSCM) []string
}

func scmCases() []scmCase {
	return []scmCase{gitlabCase(), bitbucketCloudCase(), bitbucketServerCase(), gerritCase()}
}

func gitlabCase() scmCase {
	const project = "platform/team/tools"
	fake := NewFakeGitLab()
	fake.GitLabMergeRequest(project, 7, testSHA, "feature", "main", []string{"docs/a.md", "main.go"})
	pr := GitLabMergeRequestEvent("open", project, 7, testSHA, "feature", "main")
	note := GitLabMergeRequestNote(project, 7, testSHA, "feature", "main", "bob", "/test e2e")
	return scmCase{
		name: "gitlab", fake: fake,
		cfg:     providers.Config{Kind: "gitlab", Name: "main", URL: fake.URL, Secret: testSecret, Token: "glpat"},
		pr:      delivery{HookPath("gitlab", "main"), GitLabHeader("Merge Request Hook", "mr-7", testSecret), pr},
		comment: delivery{HookPath("gitlab", "main"), GitLabHeader("Note Hook", "note-7", testSecret), note},
		forged:  delivery{HookPath("gitlab", "main"), GitLabHeader("Merge Request Hook", "mr-7", []byte("wrong")), pr},
		wantPR:  prEvent("gitlab", "mr-7", "platform/team", "tools", 7, testSHA, "refs/merge-requests/7/head"),
		reported: func(f *FakeSCM) []string {
			var out []string
			for _, s := range f.GitLabStatuses() {
				out = append(out, s.Project+"@"+s.SHA+" "+s.Name+"="+s.State)
			}
			return out
		},
		comments: func(f *FakeSCM) []string {
			var out []string
			for _, n := range f.GitLabNotes() {
				out = append(out, n.Project+"#"+strconv.Itoa(n.IID)+" "+n.Body)
			}
			return out
		},
	}
}

func bitbucketCloudCase() scmCase {
	const repo = "acme/widgets"
	fake := NewFakeBitbucketCloud()
	fake.BitbucketCloudPullRequest(repo, 7, testHash, "feature", "main", []string{"docs/a.md", "main.go"})
	pr := BitbucketCloudPullRequestEvent(repo, 7, testHash, "feature", "main")
	comment := BitbucketCloudPullRequestComment(repo, 7, testHash, "feature", "main", "bob", "/test e2e")
	want := prEvent("bitbucketcloud", "pr-7", "acme", "widgets", 7, testHash, "")
	want.BaseSHA = "ce5965ddd289"
	return scmCase{
		name: "bitbucketcloud", fake: fake,
		cfg:      providers.Config{Kind: "bitbucketcloud", Name: "cloud", URL: fake.URL, Secret: testSecret, Token: "bb"},
		pr:       delivery{HookPath("bitbucketcloud", "cloud"), BitbucketCloudHeader("pullrequest:created", "pr-7", testSecret, pr), pr},
		comment:  delivery{HookPath("bitbucketcloud", "cloud"), BitbucketCloudHeader("pullrequest:comment_created", "c-7", testSecret, comment), comment},
		forged:   delivery{HookPath("bitbucketcloud", "cloud"), BitbucketCloudHeader("pullrequest:created", "pr-7", []byte("wrong"), pr), pr},
		wantPR:   want,
		reported: bitbucketReported((*FakeSCM).BitbucketCloudStatuses),
		comments: bitbucketComments((*FakeSCM).BitbucketCloudComments),
	}
}

func bitbucketServerCase() scmCase {
	const repo = "ACME/widgets"
	fake := NewFakeBitbucketServer()
	fake.BitbucketServerPullRequest(repo, 7, testSHA, "feature", "main", []string{"docs/a.md", "main.go"})
	pr := BitbucketServerPullRequestEvent("pr:opened", repo, 7, testSHA, "feature", "main")
	comment := BitbucketServerPullRequestComment(repo, 7, testSHA, "feature", "main", "bob", "/test e2e")
	want := prEvent("bitbucketserver", "pr-7", "ACME", "widgets", 7, testSHA, "refs/pull-requests/7/from")
	want.BaseSHA = "cde6c45a4210afe81638aa1f3aa960d633c66a90"
	return scmCase{
		name: "bitbucketserver", fake: fake,
		cfg:      providers.Config{Kind: "bitbucketserver", Name: "dc", URL: fake.URL, Secret: testSecret, Token: "bbdc"},
		pr:       delivery{HookPath("bitbucketserver", "dc"), BitbucketServerHeader("pr:opened", "pr-7", testSecret, pr), pr},
		comment:  delivery{HookPath("bitbucketserver", "dc"), BitbucketServerHeader("pr:comment:added", "c-7", testSecret, comment), comment},
		forged:   delivery{HookPath("bitbucketserver", "dc"), BitbucketServerHeader("pr:opened", "pr-7", []byte("wrong"), pr), pr},
		wantPR:   want,
		reported: bitbucketReported((*FakeSCM).BitbucketServerStatuses),
		comments: bitbucketComments((*FakeSCM).BitbucketServerComments),
	}
}

func gerritCase() scmCase {
	const project = "acme/widgets"
	fake := NewFakeGerrit()
	fake.GerritChange(project, 7, testSHA, []string{"docs/a.md", "main.go"})
	pr := GerritPatchsetCreated(project, 7, 1, testSHA, "main")
	comment := GerritCommentAdded(project, 7, 1, testSHA, "main", "bob", "/test e2e")
	want := prEvent("gerrit", gerritDelivery(pr), "acme", "widgets", 7, testSHA, "refs/changes/07/7/1")
	want.HeadRef = "" // Gerrit changes have no source branch
	return scmCase{
		name: "gerrit", fake: fake,
		cfg:     providers.Config{Kind: "gerrit", Name: "review", URL: fake.URL, Secret: testSecret, Username: "fresnel-ci", Token: "pw"},
		pr:      delivery{GerritHookPath("review", testSecret), GerritHeader(), pr},
		comment: delivery{GerritHookPath("review", testSecret), GerritHeader(), comment},
		forged:  delivery{GerritHookPath("review", []byte("wrong")), GerritHeader(), pr},
		wantPR:  want,
		reported: func(f *FakeSCM) []string {
			var out []string
			for _, r := range f.GerritReviews() {
				if ctx, state, ok := r.Job(); ok {
					out = append(out, fmt.Sprintf("%s@%s %s=%s by %s %v", r.Change, r.Revision, ctx, state, r.User, r.Labels))
				}
			}
			return out
		},
		comments: func(f *FakeSCM) []string {
			var out []string
			for _, r := range f.GerritReviews() {
				if _, _, isStatus := r.Job(); !isStatus {
					out = append(out, r.Change+"@"+r.Revision+" "+r.Message)
				}
			}
			return out
		},
	}
}

// shape keeps the fields of a pull request event the builders decide;
// the rest (title, author, sender, body...) the parsers' goldens test.
func shape(ev event.Event) event.Event {
	return event.Event{
		Provider: ev.Provider, Delivery: ev.Delivery, Kind: ev.Kind, Action: ev.Action,
		Repo:   event.Repo{Owner: ev.Repo.Owner, Name: ev.Repo.Name, FullName: ev.Repo.FullName},
		Number: ev.Number, BaseRef: ev.BaseRef, BaseSHA: ev.BaseSHA, HeadRef: ev.HeadRef, HeadSHA: ev.HeadSHA,
		PullRef: ev.PullRef, Draft: ev.Draft,
	}
}

func prEvent(kind, delivery, owner, name string, number int, sha, pullRef string) event.Event {
	return event.Event{
		Provider: kind, Delivery: delivery, Kind: event.KindPullRequest, Action: event.ActionOpened,
		Repo:   event.Repo{Owner: owner, Name: name, FullName: owner + "/" + name},
		Number: number, BaseRef: "main", HeadRef: "feature", HeadSHA: sha, PullRef: pullRef,
	}
}

func bitbucketReported(read func(*FakeSCM) []BitbucketStatus) func(*FakeSCM) []string {
	return func(f *FakeSCM) []string {
		var out []string
		for _, s := range read(f) {
			out = append(out, s.Repo+"@"+s.SHA+" "+s.Key+"="+s.State)
		}
		return out
	}
}

func bitbucketComments(read func(*FakeSCM) []BitbucketComment) func(*FakeSCM) []string {
	return func(f *FakeSCM) []string {
		var out []string
		for _, c := range read(f) {
			out = append(out, c.Repo+"#"+strconv.Itoa(c.Number)+" "+c.Text)
		}
		return out
	}
}

func request(t *testing.T, d delivery) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, d.path, bytes.NewReader(d.body))
	r.Header = d.header
	return r
}

// parse verifies and parses a delivery as fresnel's server does.
func parse(t *testing.T, in providers.Intake, d delivery) event.Event {
	t.Helper()
	if err := in.Verify(context.Background(), request(t, d), d.body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	ev, err := in.Parse(context.Background(), request(t, d), d.body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return ev
}

// TestPayloadsParseAndStandInsAnswer runs each real provider against its
// stand-in: the payload builders must verify and parse into the wanted
// event, and the stand-in must answer every reporting call the provider
// makes and read back what it received.
func TestPayloadsParseAndStandInsAnswer(t *testing.T) {
	for _, tc := range scmCases() {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.fake.Close()
			in, err := providers.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ev := parse(t, in, tc.pr)
			if diff := cmp.Diff(tc.wantPR, shape(ev)); diff != "" {
				t.Errorf("pull request event (-want +got):\n%s", diff)
			}
			checkComment(t, in, tc)
			checkReporting(t, in, tc, ev)
			if n := len(tc.fake.Calls(http.MethodGet, "")); n != 1 {
				t.Errorf("reads = %d, want 1 (changed files): %+v", n, tc.fake.Calls(http.MethodGet, ""))
			}
			checkSendersTrusted(t, in, tc, ev)
		})
	}
}

func checkComment(t *testing.T, in providers.Intake, tc scmCase) {
	t.Helper()
	ev := parse(t, in, tc.comment)
	if ev.Kind != event.KindComment || ev.Comment == nil || ev.Comment.Body != "/test e2e" || ev.Number != 7 || ev.HeadSHA != tc.wantPR.HeadSHA {
		t.Errorf("comment event = %+v (comment %+v)", ev, ev.Comment)
	}
	err := in.Verify(context.Background(), request(t, tc.forged), tc.forged.body)
	if providers.HTTPStatus(err) != http.StatusUnauthorized {
		t.Errorf("Verify with a wrong secret = %v, want unauthorized", err)
	}
}

func checkReporting(t *testing.T, in providers.Intake, tc scmCase, ev event.Event) {
	t.Helper()
	ctx := context.Background()
	files, err := in.(providers.ChangeLister).ChangedFiles(ctx, ev)
	if err != nil || !slices.Equal(files, []string{"docs/a.md", "main.go"}) {
		t.Errorf("ChangedFiles = %v, %v", files, err)
	}
	ref := event.CommitRef{Repo: ev.Repo.FullName, SHA: ev.HeadSHA, Number: ev.Number}
	for _, state := range []providers.State{providers.StatePending, providers.StatePending, providers.StateSuccess} {
		s := providers.Status{State: state, Context: "unit", Description: "d", TargetURL: "https://dash.example.com/r/1"}
		if err := in.(providers.StatusReporter).SetStatus(ctx, ref, s); err != nil {
			t.Errorf("SetStatus(%s): %v", state, err)
		}
	}
	if len(tc.reported(tc.fake)) != 3 {
		t.Errorf("statuses read back = %q, want 3", tc.reported(tc.fake))
	}
	t.Logf("statuses: %q", tc.reported(tc.fake))
	if _, err := in.(providers.Commenter).Comment(ctx, event.Target{Repo: ev.Repo.FullName, Number: ev.Number}, "hello"); err != nil {
		t.Errorf("Comment: %v", err)
	}
	if got := tc.comments(tc.fake); len(got) != 1 {
		t.Errorf("comments read back = %q, want 1", got)
	}
	if kept := tc.fake.Comments(ev.Repo.FullName, ev.Number); len(kept) != 1 || kept[0].Body != "hello" {
		t.Errorf("stand-in keeps comments %+v, want the one posted", kept)
	}
	t.Logf("comments: %q", tc.comments(tc.fake))
}

// checkSendersTrusted asserts the stand-in trusts, by default, whoever its
// payload builders name as the sender of a pull request or the author of
// a comment, so the existing suites pass the trust check.
func checkSendersTrusted(t *testing.T, in providers.Intake, tc scmCase, pr event.Event) {
	t.Helper()
	users := []string{pr.Sender, pr.Author}
	if c := parse(t, in, tc.comment); c.Comment != nil {
		users = append(users, c.Comment.Author, c.Sender)
	}
	for _, user := range users {
		if user == "" {
			continue
		}
		ok, err := in.(providers.TrustChecker).IsCollaborator(context.Background(), pr.Repo.FullName, user)
		if err != nil || !ok {
			t.Errorf("stand-in trusts %q on %s: %v, %v; want true", user, pr.Repo.FullName, ok, err)
		}
	}
}

// gerritDelivery is the delivery id the Gerrit provider gives a body.
func gerritDelivery(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])[:32]
}

// roleCase is one SCM's stand-in and what its trust, label and comment
// calls are about.
type roleCase struct {
	name string
	cfg  providers.Config
	fake *FakeSCM
	// org is what IsOrgMember asks about; repo and number the pull request.
	org, repo string
	number    int
	// user is how the provider names a user of the payload builders.
	user func(string) string
}

func roleCases() []roleCase {
	same := func(u string) string { return u }
	github, gitlab, cloud, dc, gerrit := NewFakeGitHub(), NewFakeGitLab(), NewFakeBitbucketCloud(), NewFakeBitbucketServer(), NewFakeGerrit()
	return []roleCase{
		{name: "github", fake: github, org: "acme", repo: "acme/widgets", number: 7, user: same,
			cfg: providers.Config{Kind: "github", Name: "public", URL: github.URL, Secret: testSecret, Token: "ghp"}},
		{name: "gitlab", fake: gitlab, org: "platform/team", repo: "platform/team/tools", number: 7, user: same,
			cfg: providers.Config{Kind: "gitlab", Name: "main", URL: gitlab.URL, Secret: testSecret, Token: "glpat"}},
		{name: "bitbucketcloud", fake: cloud, org: "acme", repo: "acme/widgets", number: 7, user: BitbucketCloudAccountID,
			cfg: providers.Config{Kind: "bitbucketcloud", Name: "cloud", URL: cloud.URL, Secret: testSecret, Token: "bb"}},
		{name: "bitbucketserver", fake: dc, org: "ACME", repo: "ACME/widgets", number: 7, user: same,
			cfg: providers.Config{Kind: "bitbucketserver", Name: "dc", URL: dc.URL, Secret: testSecret, Token: "bbdc"}},
		{name: "gerrit", fake: gerrit, org: "Administrators", repo: "acme/widgets", number: 7, user: same,
			cfg: providers.Config{Kind: "gerrit", Name: "review", URL: gerrit.URL, Secret: testSecret, Username: "fresnel-ci", Token: "pw"}},
	}
}

// trust asks both questions about user.
func trust(t *testing.T, tc roleCase, checker providers.TrustChecker, user string) (member, collaborator bool) {
	t.Helper()
	ctx := context.Background()
	member, err := checker.IsOrgMember(ctx, tc.org, tc.user(user))
	if err != nil {
		t.Fatalf("IsOrgMember(%s, %s): %v", tc.org, user, err)
	}
	collaborator, err = checker.IsCollaborator(ctx, tc.repo, tc.user(user))
	if err != nil {
		t.Fatalf("IsCollaborator(%s, %s): %v", tc.repo, user, err)
	}
	return member, collaborator
}

// TestStandInsAnswerTrust runs each real provider's trust checks against
// its stand-in: the default members are trusted, strangers are not, and
// once a test sets members only those count.
func TestStandInsAnswerTrust(t *testing.T) {
	for _, tc := range roleCases() {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.fake.Close()
			in, err := providers.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			checker := in.(providers.TrustChecker)
			for _, user := range DefaultMembers() {
				if m, c := trust(t, tc, checker, user); !m || !c {
					t.Errorf("default %s: member %v, collaborator %v; want both", user, m, c)
				}
			}
			if m, c := trust(t, tc, checker, "mallory"); m || c {
				t.Errorf("stranger mallory: member %v, collaborator %v; want neither", m, c)
			}
			tc.fake.SetMembers(tc.org, "alice")
			tc.fake.SetCollaborators(tc.repo, "alice")
			if m, c := trust(t, tc, checker, "alice"); !m || !c {
				t.Errorf("alice after SetMembers: member %v, collaborator %v; want both", m, c)
			}
			if m, c := trust(t, tc, checker, "bob"); m || c {
				t.Errorf("bob after SetMembers without him: member %v, collaborator %v; want neither", m, c)
			}
			for _, c := range tc.fake.Calls("", "") {
				if c.Status >= 500 {
					t.Errorf("stand-in failed %s %s: %d", c.Method, c.Path, c.Status)
				}
			}
		})
	}
}

// TestStandInsKeepLabels runs each real Labeler against its stand-in.
func TestStandInsKeepLabels(t *testing.T) {
	for _, tc := range roleCases() {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.fake.Close()
			in, err := providers.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			labeler, ok := in.(providers.Labeler)
			if !ok {
				t.Skipf("%s has no labels", tc.name)
			}
			ctx, target := context.Background(), event.Target{Repo: tc.repo, Number: tc.number}
			tc.fake.SetLabels(tc.repo, tc.number, "needs-rebase")
			for _, step := range []struct {
				add   bool
				label string
			}{{true, "lgtm"}, {true, "do-not-merge/hold"}, {true, "lgtm"}, {false, "needs-rebase"}, {false, "lgtm"}, {false, "never-there"}} {
				if step.add {
					err = labeler.AddLabel(ctx, target, step.label)
				} else {
					err = labeler.RemoveLabel(ctx, target, step.label)
				}
				if err != nil {
					t.Fatalf("add %v %q: %v", step.add, step.label, err)
				}
			}
			want := []string{"do-not-merge/hold"}
			got, err := labeler.Labels(ctx, target)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Labels() = %q, %v; want %q", got, err, want)
			}
			if kept := tc.fake.Labels(tc.repo, tc.number); !slices.Equal(kept, want) {
				t.Errorf("stand-in labels = %q, want %q", kept, want)
			}
		})
	}
}

// TestStandInsKeepComments runs each real CommentEditor against its
// stand-in: fresnel's comment and a user's are listed, edits and deletes
// are applied.
func TestStandInsKeepComments(t *testing.T) {
	for _, tc := range roleCases() {
		t.Run(tc.name, func(t *testing.T) {
			defer tc.fake.Close()
			in, err := providers.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			editor, ok := in.(providers.CommentEditor)
			if !ok {
				t.Skipf("%s cannot edit comments", tc.name)
			}
			ctx, target := context.Background(), event.Target{Repo: tc.repo, Number: tc.number}
			userID := tc.fake.AddComment(tc.repo, tc.number, tc.user("bob"), "/lgtm")
			id, err := in.(providers.Commenter).Comment(ctx, target, "Jobs: unit pending")
			if err != nil {
				t.Fatal(err)
			}
			if err := editor.EditComment(ctx, target, id, "Jobs: unit passed"); err != nil {
				t.Fatalf("EditComment: %v", err)
			}
			listed, err := editor.ListComments(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			want := []event.Comment{
				{ID: userID, Body: "/lgtm", Author: tc.user("bob")},
				{ID: id, Body: "Jobs: unit passed", Author: tc.user("fresnel-bot")},
			}
			if diff := cmp.Diff(want, listed); diff != "" {
				t.Errorf("ListComments (-want +got):\n%s", diff)
			}
			if err := editor.DeleteComment(ctx, target, id); err != nil {
				t.Fatalf("DeleteComment: %v", err)
			}
			if diff := cmp.Diff(want[:1], tc.fake.Comments(tc.repo, tc.number)); diff != "" {
				t.Errorf("stand-in comments after delete (-want +got):\n%s", diff)
			}
			if err := editor.EditComment(ctx, target, id, "again"); err == nil {
				t.Error("EditComment of a deleted comment gave no error")
			}
		})
	}
}

// TestGitLabStandInUnknownMergeRequest: a merge request no test registered
// and nobody labelled is a 404, as on GitLab, so a forgotten registration
// still shows; once labelled it is answered.
func TestGitLabStandInUnknownMergeRequest(t *testing.T) {
	fake := NewFakeGitLab()
	defer fake.Close()
	in, err := providers.New(providers.Config{Kind: "gitlab", Name: "main", URL: fake.URL, Secret: testSecret, Token: "glpat"})
	if err != nil {
		t.Fatal(err)
	}
	labeler, target := in.(providers.Labeler), event.Target{Repo: "a/b", Number: 9}
	if _, err := labeler.Labels(context.Background(), target); err == nil {
		t.Error("Labels of an unknown merge request gave no error")
	}
	fake.SetLabels("a/b", 9, "lgtm")
	if got, err := labeler.Labels(context.Background(), target); err != nil || !slices.Equal(got, []string{"lgtm"}) {
		t.Errorf("Labels after SetLabels = %q, %v", got, err)
	}
}
