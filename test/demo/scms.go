package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// demoSCM is one SCM instance of the demo: its API stand-in, its settings
// entry and the deliveries it sends.
type demoSCM struct {
	kind, instance string
	secret         []byte
	fake           *harness.FakeSCM
	settings       string
	deliveries     []delivery
	// describe turns an API call into a line of output ("" to hide it).
	describe func(harness.Call) string
}

type delivery struct {
	title  string
	header http.Header
	body   []byte
}

const (
	demoRepo = "acme/widgets"
	demoSHA  = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
)

func demoSCMs() []*demoSCM {
	return []*demoSCM{githubDemo()}
}

func githubDemo() *demoSCM {
	s := &demoSCM{kind: "github", instance: "public", secret: []byte("demo-github-secret"), fake: harness.NewFakeGitHub()}
	s.fake.GitHubPullRequest(demoRepo, 42, demoSHA, "main", []string{"docs/index.md", "widget.go"})
	s.settings = fmt.Sprintf("- kind: github\n  name: public\n  url: %s\n  secret: {file: github-secret}\n", s.fake.URL)
	opened := harness.GitHubPullRequestEvent("opened", demoRepo, 42, demoSHA, "main")
	comment := harness.GitHubPullRequestComment(demoRepo, 42, "alice", "/test e2e")
	push := harness.GitHubPushEvent(demoRepo, "refs/heads/main", demoSHA, []string{"widget.go"})
	s.deliveries = []delivery{
		{"pull_request opened #42", harness.GitHubHeader("pull_request", "demo-gh-1", s.secret, opened), opened},
		{"issue_comment \"/test e2e\" on #42", harness.GitHubHeader("issue_comment", "demo-gh-2", s.secret, comment), comment},
		{"push to main", harness.GitHubHeader("push", "demo-gh-3", s.secret, push), push},
		{"pull_request opened #42 (redelivered)", harness.GitHubHeader("pull_request", "demo-gh-1", s.secret, opened), opened},
	}
	s.describe = describeGitHub
	return s
}

func describeGitHub(c harness.Call) string {
	if c.Method != http.MethodPost || !strings.Contains(c.Path, "/statuses/") {
		return fmt.Sprintf("%s %s", c.Method, c.Path)
	}
	var st harness.GitHubStatus
	_ = json.Unmarshal(c.Body, &st)
	sha := c.Path[strings.LastIndex(c.Path, "/")+1:]
	return fmt.Sprintf("status %-8s %-10s on %.7s  %q  %s", st.State, st.Context, sha, st.Description, st.TargetURL)
}
