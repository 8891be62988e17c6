package e2e

import (
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// dcRepo is the repository on Bitbucket Data Center, whose project keys
// are upper case.
const dcRepo = "ACME/widgets"

// TestBitbucketServerPullRequestRunsAndReportsOnce drives Bitbucket Data
// Center end to end: signed deliveries, commit-wide build statuses.
func TestBitbucketServerPullRequestRunsAndReportsOnce(t *testing.T) {
	runProviderFlow(t, newNamespace(t), bitbucketServerFlow("dc", changedFiles))
}

// bitbucketServerFlow is pull request 7 of ACME/widgets on a Bitbucket
// Data Center instance.
func bitbucketServerFlow(instance string, files []string) providerFlow {
	fake := harness.NewFakeBitbucketServer()
	fake.BitbucketServerPullRequest(dcRepo, 7, headSHA, "feature", "main", files)
	in := scmInstance{kind: "bitbucketserver", name: instance, secret: []byte("e2e-bitbucketserver-" + instance), fake: fake}
	opened := harness.BitbucketServerPullRequestEvent("pr:opened", dcRepo, 7, headSHA, "feature", "main")
	comment := harness.BitbucketServerPullRequestComment(dcRepo, 7, headSHA, "feature", "main", "bob", "/test manual")
	path := harness.HookPath("bitbucketserver", instance)
	return providerFlow{
		instance: in, owner: "ACME", name: "widgets", number: 7, sha: headSHA,
		opened:   delivery{path, harness.BitbucketServerHeader("pr:opened", "bbs-pr-7", in.secret, opened), opened},
		comment:  delivery{path, harness.BitbucketServerHeader("pr:comment:added", "bbs-comment-7", in.secret, comment), comment},
		forged:   delivery{path, harness.BitbucketServerHeader("pr:opened", "bbs-forged", []byte("wrong"), opened), opened},
		reported: func() []reported { return bitbucketReported(fake.BitbucketServerStatuses()) },
		where:    "", pending: "INPROGRESS", success: "SUCCESSFUL", failure: "FAILED",
	}
}
