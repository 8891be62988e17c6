package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// trustPlugins enables the trigger plugin for the test orgs and groups
// and links a page where people can join.
const trustPlugins = `
plugins:
  acme: [trigger]
  platform: [trigger]
triggers:
- repos: [acme, platform]
  join_org_url: https://example.com/join
`

// trustAnswer is the part of fresnel's answer the trust tests read.
type trustAnswer struct {
	Runs []struct {
		Job string `json:"job"`
	} `json:"runs"`
	Refused string   `json:"refused"`
	Actions []string `json:"actions"`
}

func sendTrust(t *testing.T, f *harness.Fresnel, d delivery) trustAnswer {
	t.Helper()
	resp, data, err := f.SendPath(d.path, d.header, d.body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans trustAnswer
	if err := json.Unmarshal(data, &ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d: %s", resp.StatusCode, data)
	}
	return ans
}

// startTrustFresnel runs fresnel with plugins.yaml beside config.yaml and
// fresnel-bot as the bot's login on each instance.
func startTrustFresnel(t *testing.T, ns, config string, instances ...scmInstance) *harness.Fresnel {
	t.Helper()
	settings := fmt.Sprintf("namespace: %s\nprow:\n  config: config.yaml\n  plugins: plugins.yaml\n%sproviders:\n", ns, "inRepoConfig:\n  repos: [\"acme/*\"]\n")
	files := map[string]string{"config.yaml": config, "plugins.yaml": trustPlugins}
	for _, in := range instances {
		in.extra += "  botUser: fresnel-bot\n"
		settings += in.settings()
		files[in.file("secret")] = string(in.secret)
		files[in.file("token")] = "api-token-" + in.name
	}
	return startFresnelFiles(t, stack.Kubeconfig, settings, files)
}

// trustFlow is one SCM's deliveries for the trust steps: an untrusted
// author's pull request opened and updated, then comments.
type trustFlow struct {
	fake     *harness.FakeSCM
	repo     string
	number   int
	opened   delivery
	updated  delivery
	comment  func(author, text string) delivery
	contents func() int
}

// runTrustFlow checks, through the running binary: an untrusted pull
// request starts nothing, reads none of its files and is labelled and told
// once; a stranger's /test is refused with a reply; a member's /ok-to-test
// starts the presubmits.
func runTrustFlow(t *testing.T, ns string, f *harness.Fresnel, fl trustFlow) {
	for _, d := range []delivery{fl.opened, fl.updated} {
		ans := sendTrust(t, f, d)
		if len(ans.Runs) != 0 || !strings.Contains(ans.Refused, "not trusted") {
			t.Fatalf("untrusted pull request: answer %+v, want no runs and a refusal", ans)
		}
	}
	if n := len(listRuns(t, ns)); n != 0 {
		t.Fatalf("%d PipelineRuns for an untrusted pull request", n)
	}
	if n := fl.contents(); n != 0 {
		t.Errorf("an untrusted pull request's files were read: %d contents calls", n)
	}
	if labels := fl.fake.Labels(fl.repo, fl.number); !slices.Equal(labels, []string{"needs-ok-to-test"}) {
		t.Errorf("labels = %v, want [needs-ok-to-test]", labels)
	}
	comments := fl.fake.Comments(fl.repo, fl.number)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "/ok-to-test") || !strings.Contains(comments[0].Body, "https://example.com/join") {
		t.Fatalf("comments = %+v, want one notice about /ok-to-test linking the join page", comments)
	}

	ans := sendTrust(t, f, fl.comment("mallory", "/test all"))
	comments = fl.fake.Comments(fl.repo, fl.number)
	if len(ans.Runs) != 0 || !strings.Contains(ans.Refused, "commenter is not trusted") || len(comments) != 2 || !strings.HasPrefix(comments[1].Body, "@mallory:") {
		t.Fatalf("stranger's /test all: answer %+v, comments %+v; want a refusal and one reply", ans, comments)
	}

	ans = sendTrust(t, f, fl.comment("bob", "/ok-to-test"))
	if len(ans.Runs) == 0 || ans.Refused != "" {
		t.Fatalf("member's /ok-to-test: answer %+v, want the presubmits started", ans)
	}
	if n := len(listRuns(t, ns)); n != len(ans.Runs) {
		t.Errorf("PipelineRuns = %d, answer names %d", n, len(ans.Runs))
	}
	if labels := fl.fake.Labels(fl.repo, fl.number); !slices.Equal(labels, []string{"ok-to-test"}) {
		t.Errorf("labels after /ok-to-test = %v, want [ok-to-test]", labels)
	}
	if n := len(fl.fake.Comments(fl.repo, fl.number)); n != 2 {
		t.Errorf("%d comments after /ok-to-test, want no more than the 2 before", n)
	}
}

func TestTrustGitHub(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.SetMembers("acme", "bob", "fresnel-bot")
	gh.SetCollaborators(repo)
	gh.GitHubPullRequest(repo, 31, headSHA, "main", []string{"main.go"})
	gh.GitHubContents(repo, headSHA, map[string]string{
		".lighthouse/jenkins-x/triggers.yaml":    lighthouseTriggers,
		".lighthouse/jenkins-x/pullrequest.yaml": lighthousePullRequest,
	})
	in := scmInstance{kind: "github", name: "public", secret: githubSecret, fake: gh}
	f := startTrustFresnel(t, ns, inRepoCentral, in)
	path := harness.HookPath("github", "public")
	pr := func(action, id string) delivery {
		body := harness.GitHubPullRequestEvent(action, repo, 31, headSHA, "main")
		return delivery{path, harness.GitHubHeader("pull_request", id, githubSecret, body), body}
	}
	seq := 0
	runTrustFlow(t, ns, f, trustFlow{
		fake: gh, repo: repo, number: 31,
		opened: pr("opened", "trust-open"), updated: pr("synchronize", "trust-sync"),
		comment: func(author, text string) delivery {
			seq++
			body := harness.GitHubPullRequestComment(repo, 31, author, text)
			return delivery{path, harness.GitHubHeader("issue_comment", fmt.Sprintf("trust-comment-%d", seq), githubSecret, body), body}
		},
		contents: func() int { return contentsCalls(gh) },
	})
	if contentsCalls(gh) == 0 {
		t.Error("the in-repo jobs were not read once the pull request was trusted")
	}
}

func TestTrustGitLab(t *testing.T) {
	const project = "platform/team/tools"
	ns := newNamespace(t)
	gl := harness.NewFakeGitLab()
	defer gl.Close()
	gl.SetMembers("platform/team", "bob", "fresnel-bot")
	gl.SetCollaborators(project)
	gl.GitLabMergeRequest(project, 7, headSHA, "feature", "main", []string{"main.go"})
	in := scmInstance{kind: "gitlab", name: "main", secret: []byte("e2e-gitlab-trust"), fake: gl}
	f := startTrustFresnel(t, ns, scmJobs(project), in)
	path := harness.HookPath("gitlab", "main")
	mr := func(action, id string) delivery {
		body := harness.GitLabMergeRequestEvent(action, project, 7, headSHA, "feature", "main")
		return delivery{path, harness.GitLabHeader("Merge Request Hook", id, in.secret), body}
	}
	seq := 0
	runTrustFlow(t, ns, f, trustFlow{
		fake: gl, repo: project, number: 7,
		opened: mr("open", "trust-open"), updated: mr("update", "trust-update"),
		comment: func(author, text string) delivery {
			seq++
			body := harness.GitLabMergeRequestNote(project, 7, headSHA, "feature", "main", author, text)
			return delivery{path, harness.GitLabHeader("Note Hook", fmt.Sprintf("trust-note-%d", seq), in.secret), body}
		},
		contents: func() int { return 0 }, // GitLab's project opts in to no in-repo jobs here
	})
}
