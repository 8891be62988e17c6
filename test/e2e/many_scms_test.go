package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// githubFlow is pull request 7 of acme/widgets on a GitHub instance.
func githubFlow(instance string, files []string) providerFlow {
	fake := harness.NewFakeGitHub()
	fake.GitHubPullRequest(repo, 7, headSHA, "main", files)
	in := scmInstance{kind: "github", name: instance, secret: []byte("e2e-github-" + instance), fake: fake}
	opened := harness.GitHubPullRequestEvent("opened", repo, 7, headSHA, "main")
	comment := harness.GitHubPullRequestComment(repo, 7, "bob", "/test manual")
	path := harness.HookPath("github", instance)
	return providerFlow{
		instance: in, owner: "acme", name: "widgets", number: 7, sha: headSHA,
		opened:   delivery{path, harness.GitHubHeader("pull_request", "gh-pr-7", in.secret, opened), opened},
		comment:  delivery{path, harness.GitHubHeader("issue_comment", "gh-comment-7", in.secret, comment), comment},
		forged:   delivery{path, harness.GitHubHeader("pull_request", "gh-forged", []byte("wrong"), opened), opened},
		reported: func() []reported { return githubReported(fake) },
		where:    repo, pending: "pending", success: "success", failure: "failure",
		// A change that touches no docs gets docs marked skipped.
		skipped: map[string]string{"docs": "success"},
	}
}

func githubReported(fake *harness.FakeSCM) []reported {
	var out []reported
	for _, s := range fake.GitHubStatuses() {
		out = append(out, reported{Where: s.Repo, SHA: s.SHA, Context: s.Context, State: s.State})
	}
	return out
}

// TestOneInstallManySCMs runs one fresnel with two GitHubs, a GitLab, a
// Bitbucket Cloud, a Bitbucket Data Center and a Gerrit, each with its own
// secret and API stand-in, and the same pull request of a same-named
// repository on each (Bitbucket Data Center's project key is upper case).
// Each run must be reported to the instance its event came from and to no
// other, and a delivery signed with one instance's secret must not pass
// at another's path.
func TestOneInstallManySCMs(t *testing.T) {
	ns := newNamespace(t)
	code := []string{"main.go"}
	flows := []providerFlow{
		githubFlow("public", code), githubFlow("enterprise", code), gitlabFlow("main", repo, code),
		bitbucketCloudFlow("cloud", code), bitbucketServerFlow("dc", code), gerritFlow("review", code),
	}
	var instances []scmInstance
	for _, fl := range flows {
		defer fl.instance.fake.Close()
		instances = append(instances, fl.instance)
	}
	f := startSCMFresnel(t, ns, scmJobs(repo, dcRepo), instances...)
	for _, fl := range flows {
		status, ans := sendDelivery(t, f, fl.opened)
		if status != http.StatusOK || strings.Join(runNames(ans), ",") != "lint,unit" {
			t.Fatalf("%s/%s: status %d answer %+v, want runs lint,unit", fl.instance.kind, fl.instance.name, status, ans)
		}
	}
	checkRunsPerInstance(t, ns, flows)
	for _, fl := range flows {
		waitFinals(t, fl.reported, fl.pending, fl.withSkipped(map[string]string{"unit": fl.success, "ci/lint": fl.failure}))
	}
	time.Sleep(settle)
	for _, fl := range flows {
		t.Run(fl.instance.kind+"/"+fl.instance.name, func(t *testing.T) {
			got := fl.reported()
			t.Logf("%d statuses received: %+v", len(got), got)
			checkReportedOnceAt(t, got, fl.where, fl.sha, fl.pending, fl.withSkipped(map[string]string{"unit": fl.success, "ci/lint": fl.failure}))
			checkAnswered(t, fl.instance.fake)
		})
	}
	checkSecretsStayWithTheirInstance(t, f, ns, flows)
}

// checkRunsPerInstance asserts two runs per instance, each labelled with
// the instance its event came from and carrying that event's SHA.
func checkRunsPerInstance(t *testing.T, ns string, flows []providerFlow) {
	t.Helper()
	perInstance := map[string]int{}
	for _, pr := range listRuns(t, ns) {
		perInstance[pr.Labels["fresnel.dev/provider"]+"/"+pr.Annotations["fresnel.dev/instance"]]++
		for _, fl := range flows {
			if fl.instance.kind == pr.Labels["fresnel.dev/provider"] && fl.instance.name == pr.Annotations["fresnel.dev/instance"] &&
				params(pr)["PULL_PULL_SHA"] != fl.sha {
				t.Errorf("%s: PULL_PULL_SHA %q, want %q", pr.Name, params(pr)["PULL_PULL_SHA"], fl.sha)
			}
		}
	}
	for _, fl := range flows {
		if key := fl.instance.kind + "/" + fl.instance.name; perInstance[key] != 2 {
			t.Errorf("runs of %s = %d, want 2 (all: %v)", key, perInstance[key], perInstance)
		}
	}
	if len(perInstance) != len(flows) {
		t.Errorf("runs per instance %v, want only the %d instances", perInstance, len(flows))
	}
}

// checkSecretsStayWithTheirInstance sends deliveries signed (or carrying
// the token) of one instance to another instance's path: each is 401 and
// starts nothing.
func checkSecretsStayWithTheirInstance(t *testing.T, f *harness.Fresnel, ns string, flows []providerFlow) {
	t.Helper()
	public, enterprise, gitlab, cloud, dc, gerrit := flows[0], flows[1], flows[2], flows[3], flows[4], flows[5]
	forged := []struct {
		name string
		d    delivery
	}{
		{"github/public's signature at github/enterprise", delivery{enterprise.opened.path, public.opened.header, public.opened.body}},
		{"github/enterprise's signature at github/public", delivery{public.opened.path, enterprise.opened.header, enterprise.opened.body}},
		{"bitbucketcloud's secret at bitbucketserver", delivery{dc.opened.path,
			harness.BitbucketServerHeader("pr:opened", "cross-1", cloud.instance.secret, dc.opened.body), dc.opened.body}},
		{"bitbucketserver's secret at bitbucketcloud", delivery{cloud.opened.path,
			harness.BitbucketCloudHeader("pullrequest:created", "cross-2", dc.instance.secret, cloud.opened.body), cloud.opened.body}},
		{"gerrit's token at gitlab", delivery{gitlab.opened.path,
			harness.GitLabHeader("Merge Request Hook", "cross-3", gerrit.instance.secret), gitlab.opened.body}},
		{"gitlab's token at gerrit", delivery{harness.GerritHookPath("review", gitlab.instance.secret), harness.GerritHeader(), gerrit.opened.body}},
	}
	for _, tc := range forged {
		t.Run(tc.name, func(t *testing.T) {
			if status, ans := sendDelivery(t, f, tc.d); status != http.StatusUnauthorized {
				t.Errorf("status %d answer %+v, want 401", status, ans)
			}
		})
	}
	if n := len(listRuns(t, ns)); n != 2*len(flows) {
		t.Errorf("PipelineRuns after the forged deliveries = %d, want %d", n, 2*len(flows))
	}
}
