package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// approveBaseSHA is the base commit the GitHub stand-in's pull requests
// name, where the OWNERS files are served.
const approveBaseSHA = "0000000000000000000000000000000000000001"

// approveMarker ends the approve plugin's notification comment.
const approveMarker = "<!-- fresnel:approve-notification -->"

// TestApproveAcrossTwoDirectories runs the approve plugin in the binary:
// OWNERS files read through the GitHub contents API at the base commit,
// one notification posted and then edited, and the approved label added
// once an approver of each directory has approved.
func TestApproveAcrossTwoDirectories(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 21, headSHA, "main", []string{"api/server.go", "web/app.js"})
	gh.GitHubContents(repo, approveBaseSHA, map[string]string{
		"OWNERS":        "approvers:\n- root-owner\n",
		"api/OWNERS":    "approvers:\n- alice\n",
		"web/OWNERS":    "approvers:\n- bob\n",
		"api/server.go": "package api\n",
		"web/app.js":    "export {}\n",
	})
	settings := strings.Replace(githubSettings(ns, gh.URL), "  config: config.yaml\n", "  config: config.yaml\n  plugins: plugins.yaml\n", 1)
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml":  "presubmits: {}\n",
		"plugins.yaml": "plugins:\n  acme: [approve]\n",
		"github-hmac":  string(githubSecret),
		"github-token": "ghp_e2e",
	})

	approve := func(delivery, user string) approveAnswer {
		t.Helper()
		gh.AddComment(repo, 21, user, "/approve")
		body := harness.GitHubPullRequestComment(repo, 21, user, "/approve")
		return sendApprove(t, f, harness.GitHubHeader("issue_comment", delivery, githubSecret, body), body)
	}

	first := approve("approve-alice", "alice")
	notes := notificationsOf(gh.Comments(repo, 21))
	if len(notes) != 1 || !strings.Contains(notes[0], "`web/OWNERS`") || strings.Contains(notes[0], "`api/OWNERS`") {
		t.Fatalf("after alice: notifications %q, want one listing only web/OWNERS (answer %+v)", notes, first)
	}
	if slices.Contains(gh.Labels(repo, 21), "approved") {
		t.Fatal("approved after alice alone")
	}
	firstNote := notes[0]

	second := approve("approve-bob", "bob")
	notes = notificationsOf(gh.Comments(repo, 21))
	if len(notes) != 1 {
		t.Fatalf("after bob: %d notifications, want the one edited in place (answer %+v)", len(notes), second)
	}
	if notes[0] == firstNote || !strings.Contains(notes[0], "**APPROVED**") {
		t.Errorf("after bob: notification not updated to approved:\n%s", notes[0])
	}
	if !slices.Contains(gh.Labels(repo, 21), "approved") {
		t.Errorf("labels %v, want approved (answer %+v)", gh.Labels(repo, 21), second)
	}
	if n := len(gh.Calls(http.MethodPatch, "/repos/"+repo+"/issues/comments/")); n != 1 {
		t.Errorf("%d comment edits, want 1", n)
	}
	if n := len(gh.Calls(http.MethodGet, "/repos/"+repo+"/contents/api/OWNERS")); n != 1 {
		t.Errorf("api/OWNERS read %d times over two approvals, want once (cached by base commit)", n)
	}
}

// approveAnswer is the part of the webhook's answer the test reads.
type approveAnswer struct {
	Error   string `json:"error"`
	Plugins []struct {
		Plugin string `json:"plugin"`
		Result string `json:"result"`
		Error  string `json:"error"`
	} `json:"plugins"`
}

func sendApprove(t *testing.T, f *harness.Fresnel, header http.Header, body []byte) approveAnswer {
	t.Helper()
	resp, data, err := f.Send("github", "public", header, body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans approveAnswer
	if err := json.Unmarshal(data, &ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d: %s", resp.StatusCode, data)
	}
	for _, p := range ans.Plugins {
		if p.Error != "" {
			t.Fatalf("plugin %s failed: %s", p.Plugin, p.Error)
		}
	}
	return ans
}

func notificationsOf(comments []event.Comment) []string {
	var out []string
	for _, c := range comments {
		if strings.Contains(c.Body, approveMarker) {
			out = append(out, c.Body)
		}
	}
	return out
}

// approveFiles are the two changed files of the approve tests, in two
// directories with their own OWNERS.
var approveFiles = []string{"api/server.go", "web/app.js"}

// approveOwners are the base's OWNERS files: apiApprover approves api/,
// webApprover web/, and root-owner, who takes no part, everything. The
// author of the stand-ins' pull requests, alice, approves nothing, so no
// approval is implicit.
func approveOwners(apiApprover, webApprover string) map[string]string {
	return map[string]string{
		"OWNERS":        "approvers:\n- root-owner\n",
		"api/OWNERS":    fmt.Sprintf("approvers:\n- %q\n", apiApprover),
		"web/OWNERS":    fmt.Sprintf("approvers:\n- %q\n", webApprover),
		"api/server.go": "package api\n",
		"web/app.js":    "export {}\n",
	}
}

// startApprove runs fresnel with the approve plugin on for the org acme
// of one SCM instance.
func startApprove(t *testing.T, ns string, in scmInstance) *harness.Fresnel {
	t.Helper()
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\n  plugins: plugins.yaml\nproviders:\n%s", ns, in.settings())
	return startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml": "presubmits: {}\n", "plugins.yaml": "plugins:\n  acme: [approve]\n",
		in.file("secret"): string(in.secret), in.file("token"): "api-token",
	})
}

// checkWaiting checks the one notification after the api/ approver
// alone: not approved, web/OWNERS still to approve, its approver
// (mentioned as the SCM mentions) suggested.
func checkWaiting(t *testing.T, notes []string, mention string) {
	t.Helper()
	if len(notes) != 1 {
		t.Fatalf("after the first approval: notifications %q, want one", notes)
	}
	n := notes[0]
	if !strings.Contains(n, "**NOT APPROVED**") || !strings.Contains(n, "`web/OWNERS`") || strings.Contains(n, "`api/OWNERS`") || !strings.Contains(n, mention) {
		t.Errorf("after the first approval: notification\n%s\nwant not approved, only web/OWNERS missing, %s suggested", n, mention)
	}
}

// checkApprovedNote checks the one notification once both approved: the
// first one edited in place, now saying approved.
func checkApprovedNote(t *testing.T, notes []string, first string) {
	t.Helper()
	if len(notes) != 1 {
		t.Fatalf("after the second approval: %d notifications, want the one edited in place: %q", len(notes), notes)
	}
	if notes[0] == first || !strings.Contains(notes[0], "**APPROVED**") || strings.Contains(notes[0], "Still to be approved") {
		t.Errorf("after the second approval: notification not updated to approved:\n%s", notes[0])
	}
}

// TestApproveGitLab runs the GitHub flow on GitLab: OWNERS through the
// repository files API, the approved label on the merge request, one
// note edited in place.
func TestApproveGitLab(t *testing.T) {
	ns := newNamespace(t)
	const project = "acme/widgets"
	gl := harness.NewFakeGitLab()
	defer gl.Close()
	gl.GitLabMergeRequest(project, 21, headSHA, "feature", "main", approveFiles)
	// GitLab names no base commit for a merge request: OWNERS are read on
	// the target branch.
	gl.GitLabFiles(project, "main", approveOwners("bob", "carol"))
	in := scmInstance{kind: "gitlab", name: "main", secret: []byte("e2e-gitlab-approve"), fake: gl}
	f := startApprove(t, ns, in)
	approve := func(user string) []string {
		t.Helper()
		gl.AddComment(project, 21, user, "/approve")
		body := harness.GitLabMergeRequestNote(project, 21, headSHA, "feature", "main", user, "/approve")
		return sendPlugins(t, f, delivery{harness.HookPath("gitlab", "main"), harness.GitLabHeader("Note Hook", nextDelivery(), in.secret), body})
	}
	got := approve("bob")
	if want := []string{"posted approval notification"}; !slices.Equal(got, want) {
		t.Errorf("bob's /approve: plugins = %q, want %q", got, want)
	}
	notes := notificationsOf(gl.Comments(project, 21))
	checkWaiting(t, notes, "@carol")
	if labels := gl.Labels(project, 21); slices.Contains(labels, "approved") {
		t.Fatalf("labels %q after bob alone, want no approved", labels)
	}
	got = approve("carol")
	if want := []string{"added approved", "updated approval notification"}; !slices.Equal(got, want) {
		t.Errorf("carol's /approve: plugins = %q, want %q", got, want)
	}
	checkApprovedNote(t, notificationsOf(gl.Comments(project, 21)), notes[0])
	if labels := gl.Labels(project, 21); !slices.Equal(labels, []string{"approved"}) {
		t.Errorf("labels %q, want [approved]", labels)
	}
	if n := len(gl.GitLabNotes()); n != 1 {
		t.Errorf("%d notes posted, want the one notification", n)
	}
	if n := len(gl.Calls(http.MethodPut, "/api/v4/projects/acme%2Fwidgets/merge_requests/21/notes/")); n != 1 {
		t.Errorf("%d note edits, want 1", n)
	}
}

// On Bitbucket Cloud users are account ids, in OWNERS files as in
// events, and approved is a commit status on the head commit.
func TestApproveBitbucketCloud(t *testing.T) {
	ns := newNamespace(t)
	bbc := harness.NewFakeBitbucketCloud()
	defer bbc.Close()
	bbc.BitbucketCloudPullRequest(repo, 21, shortSHA, "feature", "main", approveFiles)
	// The destination commit of the payloads' pull requests.
	bbc.BitbucketCloudSource(repo, "ce5965ddd289", approveOwners(harness.BitbucketCloudAccountID("bob"), harness.BitbucketCloudAccountID("carol")))
	in := scmInstance{kind: "bitbucketcloud", name: "cloud", secret: []byte("e2e-bbc-approve"), fake: bbc}
	f := startApprove(t, ns, in)
	approve := func(user string) ([]string, []harness.BitbucketStatus) {
		t.Helper()
		before := len(bbc.BitbucketCloudStatuses())
		bbc.AddComment(repo, 21, harness.BitbucketCloudAccountID(user), "/approve")
		body := harness.BitbucketCloudPullRequestComment(repo, 21, shortSHA, "feature", "main", user, "/approve")
		got := sendPlugins(t, f, delivery{harness.HookPath("bitbucketcloud", "cloud"), harness.BitbucketCloudHeader("pullrequest:comment_created", nextDelivery(), in.secret, body), body})
		return got, bbc.BitbucketCloudStatuses()[before:]
	}
	got, statuses := approve("bob")
	if want := []string{"removed approved", "posted approval notification"}; !slices.Equal(got, want) {
		t.Errorf("bob's /approve: plugins = %q, want %q", got, want)
	}
	checkApproveStatus(t, "after bob", statuses, "FAILED")
	notes := notificationsOf(bbc.Comments(repo, 21))
	checkWaiting(t, notes, "@{557058:carol}")
	got, statuses = approve("carol")
	if want := []string{"added approved", "updated approval notification"}; !slices.Equal(got, want) {
		t.Errorf("carol's /approve: plugins = %q, want %q", got, want)
	}
	checkApproveStatus(t, "after carol", statuses, "SUCCESSFUL")
	checkApprovedNote(t, notificationsOf(bbc.Comments(repo, 21)), notes[0])
	if n := len(bbc.BitbucketCloudComments()); n != 1 {
		t.Errorf("%d comments posted, want the one notification", n)
	}
	if n := len(bbc.Calls(http.MethodPut, "/2.0/repositories/"+repo+"/pullrequests/21/comments/")); n != 1 {
		t.Errorf("%d comment edits, want 1", n)
	}
	if n := len(bbc.Calls(http.MethodGet, "/2.0/repositories/"+repo+"/src/ce5965ddd289/api/OWNERS")); n != 1 {
		t.Errorf("api/OWNERS read %d times over two approvals, want once (cached by destination commit)", n)
	}
}

// checkApproveStatus checks that one approval set one approved status,
// in state, on the pull request's head commit.
func checkApproveStatus(t *testing.T, when string, statuses []harness.BitbucketStatus, state string) {
	t.Helper()
	if len(statuses) != 1 || statuses[0].Key != "approved" || statuses[0].State != state || statuses[0].SHA != shortSHA {
		t.Errorf("%s: statuses %+v, want one approved %s on %s", when, statuses, state, shortSHA)
	}
}

// On Gerrit a Code-Review +2 is its voter's approval, approved is a
// hashtag, and a review message is posted only when the decision changes.
func TestApproveGerrit(t *testing.T) {
	ns := newNamespace(t)
	g := harness.NewFakeGerrit()
	defer g.Close()
	g.GerritChange(repo, 21, headSHA, approveFiles)
	// Change events name no base commit: OWNERS are read on the branch.
	g.GerritFiles(repo, "main", approveOwners("bob", "carol"))
	votes := g.GerritChangeVotes(repo, 21)
	in := scmInstance{kind: "gerrit", name: "review", secret: []byte("e2e-gerrit-approve"), fake: g, extra: "  username: fresnel-ci\n"}
	f := startApprove(t, ns, in)
	steps := []struct {
		name        string
		user        string
		vote, old   int
		want        []string
		wantTags    []string
		wantMessage []string // what the one new review message holds; nil for none
	}{
		{name: "bob +2: api approved, not yet the change", user: "bob", vote: 2},
		{name: "carol +2: approved", user: "carol", vote: 2, want: []string{"added approved", "posted approval notification"},
			wantTags: []string{"approved"}, wantMessage: []string{"**APPROVED**", "@bob", "@carol"}},
		{name: "carol +2 again: no second message", user: "carol", vote: 2, old: 2, wantTags: []string{"approved"}},
		{name: "bob withdraws: not approved, api/OWNERS named", user: "bob", old: 2, want: []string{"removed approved", "posted approval notification"},
			wantMessage: []string{"**NOT APPROVED**", "`api/OWNERS`", "Suggested approvers: @bob. Each approver approves by voting `Code-Review +2`."}},
	}
	for _, s := range steps {
		before := len(g.GerritReviews())
		votes.Vote("Code-Review", s.user, s.vote)
		body := harness.GerritVoteAdded(repo, 21, 1, headSHA, "main", s.user, "Code-Review", s.vote, s.old)
		got := sendPlugins(t, f, delivery{harness.HookPath("gerrit", "review"), basicAuth(harness.GerritHeader(), "gerrit", in.secret), body})
		if !slices.Equal(got, s.want) {
			t.Errorf("%s: plugins = %q, want %q", s.name, got, s.want)
		}
		if tags := g.Labels(repo, 21); !slices.Equal(tags, s.wantTags) {
			t.Errorf("%s: hashtags = %q, want %q", s.name, tags, s.wantTags)
		}
		checkGerritMessage(t, s.name, g.GerritReviews()[before:], s.wantMessage)
	}
}

// checkGerritMessage checks that reviews hold one message with each of
// want, or none when want is nil, and no vote: approve only reads votes.
// Gerrit messages cannot be edited and /approve comments count for
// nothing there, so the message has no marker and names no command.
func checkGerritMessage(t *testing.T, step string, reviews []harness.GerritReview, want []string) {
	t.Helper()
	if want == nil {
		if len(reviews) != 0 {
			t.Errorf("%s: reviews %+v, want none", step, reviews)
		}
		return
	}
	if len(reviews) != 1 || len(reviews[0].Labels) != 0 || reviews[0].User != "fresnel-ci" {
		t.Fatalf("%s: reviews %+v, want one message from fresnel-ci, without a vote", step, reviews)
	}
	for _, w := range want {
		if !strings.Contains(reviews[0].Message, w) {
			t.Errorf("%s: message\n%s\nwant it to hold %q", step, reviews[0].Message, w)
		}
	}
	if strings.Contains(reviews[0].Message, "/approve") || strings.Contains(reviews[0].Message, approveMarker) {
		t.Errorf("%s: message\n%s\nnames /approve or the notification marker", step, reviews[0].Message)
	}
}
