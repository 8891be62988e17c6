package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
	// path is where it goes; empty means /hook/{kind}/{instance}.
	path string
}

const (
	demoRepo = "acme/widgets"
	// demoDCRepo is the repository on Bitbucket Data Center, whose project
	// keys are upper case; docs/examples/config.yaml has its jobs too.
	demoDCRepo = "ACME/widgets"
	demoSHA    = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
)

// demoFiles are what the demo's pull requests change: docs/ runs the docs job.
var demoFiles = []string{"docs/index.md", "widget.go"}

func demoSCMs() []*demoSCM {
	return []*demoSCM{githubDemo(), gitlabDemo(), bitbucketCloudDemo(), bitbucketServerDemo(), gerritDemo()}
}

// instanceSettings is the fresnel.yaml entry of a demo instance, with its
// secret and API token read from files; extra lines follow.
func instanceSettings(kind, name, url, extra string) string {
	return fmt.Sprintf("- kind: %s\n  name: %s\n  url: %s\n  secret: {file: %s-secret}\n  token: {file: %s-token}\n%s",
		kind, name, url, kind, kind, extra)
}

func githubDemo() *demoSCM {
	s := &demoSCM{kind: "github", instance: "public", secret: []byte("demo-github-secret"), fake: harness.NewFakeGitHub()}
	s.fake.GitHubPullRequest(demoRepo, 42, demoSHA, "main", []string{"docs/index.md", "widget.go"})
	s.settings = fmt.Sprintf("- kind: github\n  name: public\n  url: %s\n  secret: {file: github-secret}\n", s.fake.URL)
	opened := harness.GitHubPullRequestEvent("opened", demoRepo, 42, demoSHA, "main")
	comment := harness.GitHubPullRequestComment(demoRepo, 42, "alice", "/test e2e")
	push := harness.GitHubPushEvent(demoRepo, "refs/heads/main", demoSHA, []string{"widget.go"})
	s.deliveries = []delivery{
		{title: "pull_request opened #42", header: harness.GitHubHeader("pull_request", "demo-gh-1", s.secret, opened), body: opened},
		{title: "issue_comment \"/test e2e\" on #42", header: harness.GitHubHeader("issue_comment", "demo-gh-2", s.secret, comment), body: comment},
		{title: "push to main", header: harness.GitHubHeader("push", "demo-gh-3", s.secret, push), body: push},
		{title: "pull_request opened #42 (redelivered)", header: harness.GitHubHeader("pull_request", "demo-gh-1", s.secret, opened), body: opened},
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

func gitlabDemo() *demoSCM {
	s := &demoSCM{kind: "gitlab", instance: "main", secret: []byte("demo-gitlab-token"), fake: harness.NewFakeGitLab()}
	s.fake.GitLabMergeRequest(demoRepo, 42, demoSHA, "feature", "main", demoFiles)
	s.settings = instanceSettings(s.kind, s.instance, s.fake.URL, "")
	opened := harness.GitLabMergeRequestEvent("open", demoRepo, 42, demoSHA, "feature", "main")
	note := harness.GitLabMergeRequestNote(demoRepo, 42, demoSHA, "feature", "main", "alice", "/test e2e")
	s.deliveries = []delivery{
		{title: "Merge Request Hook open !42", header: harness.GitLabHeader("Merge Request Hook", "demo-gl-1", s.secret), body: opened},
		{title: "Note Hook \"/test e2e\" on !42", header: harness.GitLabHeader("Note Hook", "demo-gl-2", s.secret), body: note},
	}
	s.describe = describeGitLab
	return s
}

func describeGitLab(c harness.Call) string {
	project, rest, _ := strings.Cut(strings.TrimPrefix(c.Path, "/api/v4/projects/"), "/")
	project, _ = url.PathUnescape(project)
	sha, isStatus := strings.CutPrefix(rest, "statuses/")
	var st harness.GitLabStatus
	_ = json.Unmarshal(c.Body, &st)
	switch {
	case c.Method == http.MethodPost && isStatus:
		return fmt.Sprintf("status %-8s %-10s on %s@%.7s  %q  %s", st.State, st.Name, project, sha, st.Description, st.TargetURL)
	case c.Method == http.MethodPost && strings.HasSuffix(rest, "/notes"):
		var n harness.GitLabNote
		_ = json.Unmarshal(c.Body, &n)
		return fmt.Sprintf("note on %s %s: %q", project, strings.TrimSuffix(rest, "/notes"), n.Body)
	}
	return fmt.Sprintf("%s %s", c.Method, c.Path)
}

func bitbucketCloudDemo() *demoSCM {
	s := &demoSCM{kind: "bitbucketcloud", instance: "cloud", secret: []byte("demo-bitbucket-cloud-secret"), fake: harness.NewFakeBitbucketCloud()}
	hash := demoSHA[:12] // Bitbucket Cloud abbreviates pull request commits
	s.fake.BitbucketCloudPullRequest(demoRepo, 42, hash, "feature", "main", demoFiles)
	s.settings = instanceSettings(s.kind, s.instance, s.fake.URL, "")
	created := harness.BitbucketCloudPullRequestEvent(demoRepo, 42, hash, "feature", "main")
	s.deliveries = []delivery{
		{title: "pullrequest:created #42", header: harness.BitbucketCloudHeader("pullrequest:created", "demo-bbc-1", s.secret, created), body: created},
	}
	s.describe = describeBitbucket
	return s
}

func bitbucketServerDemo() *demoSCM {
	s := &demoSCM{kind: "bitbucketserver", instance: "dc", secret: []byte("demo-bitbucket-dc-secret"), fake: harness.NewFakeBitbucketServer()}
	s.fake.BitbucketServerPullRequest(demoDCRepo, 42, demoSHA, "feature", "main", demoFiles)
	s.settings = instanceSettings(s.kind, s.instance, s.fake.URL, "")
	opened := harness.BitbucketServerPullRequestEvent("pr:opened", demoDCRepo, 42, demoSHA, "feature", "main")
	s.deliveries = []delivery{
		{title: "pr:opened #42 (" + demoDCRepo + ")", header: harness.BitbucketServerHeader("pr:opened", "demo-bbs-1", s.secret, opened), body: opened},
	}
	s.describe = describeBitbucket
	return s
}

// describeBitbucket reads the calls of both Bitbucket stand-ins: Cloud's
// statuses name the repository, Data Center's only the commit.
func describeBitbucket(c harness.Call) string {
	switch {
	case c.Method == http.MethodPost && strings.Contains(c.Path, "/statuses/build"), strings.HasPrefix(c.Path, "/rest/build-status/"):
		var st harness.BitbucketStatus
		_ = json.Unmarshal(c.Body, &st)
		sha := strings.TrimSuffix(c.Path, "/statuses/build")
		return fmt.Sprintf("status %-11s key %-10s on %.7s  %q  %s", st.State, st.Key, sha[strings.LastIndex(sha, "/")+1:], st.Description, st.URL)
	case c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/comments"):
		var in struct {
			Text    string `json:"text"` // Data Center
			Content struct {
				Raw string `json:"raw"` // Cloud
			} `json:"content"`
		}
		_ = json.Unmarshal(c.Body, &in)
		return fmt.Sprintf("comment on %s: %q", strings.TrimSuffix(c.Path, "/comments"), in.Text+in.Content.Raw)
	}
	return fmt.Sprintf("%s %s", c.Method, c.Path)
}

func gerritDemo() *demoSCM {
	s := &demoSCM{kind: "gerrit", instance: "review", secret: []byte("demo-gerrit-token"), fake: harness.NewFakeGerrit()}
	s.fake.GerritChange(demoRepo, 42, demoSHA, demoFiles)
	s.settings = instanceSettings(s.kind, s.instance, s.fake.URL, "  username: fresnel-ci\n")
	created := harness.GerritPatchsetCreated(demoRepo, 42, 1, demoSHA, "main")
	comment := harness.GerritCommentAdded(demoRepo, 42, 1, demoSHA, "main", "alice", "/test e2e")
	path := harness.GerritHookPath(s.instance, s.secret)
	s.deliveries = []delivery{
		{title: "patchset-created 42/1", header: harness.GerritHeader(), body: created, path: path},
		{title: "comment-added \"/test e2e\" on 42/1", header: harness.GerritHeader(), body: comment, path: path},
	}
	s.describe = describeGerrit
	return s
}

func describeGerrit(c harness.Call) string {
	var change, rev string
	rest := strings.ReplaceAll(strings.TrimPrefix(c.Path, "/a/changes/"), "/", " ")
	if _, err := fmt.Sscanf(rest, "%s revisions %s review", &change, &rev); err != nil || c.Method != http.MethodPost {
		return fmt.Sprintf("%s %s", c.Method, c.Path)
	}
	change, _ = url.PathUnescape(change)
	var r harness.GerritReview
	_ = json.Unmarshal(c.Body, &r)
	vote := "no vote"
	for label, v := range r.Labels {
		vote = fmt.Sprintf("%s %+d", label, v)
	}
	msg, _, _ := strings.Cut(r.Message, "\n")
	if _, jobs, ok := r.Verdict(); ok {
		var each []string
		for _, j := range jobs {
			each = append(each, j.Context+" "+j.State)
		}
		msg += " (" + strings.Join(each, ", ") + ")"
	}
	return fmt.Sprintf("review on %s@%.7s  %-11s %q", change, rev, vote, msg)
}
