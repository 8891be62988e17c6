package e2e

import (
	"encoding/json"
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
