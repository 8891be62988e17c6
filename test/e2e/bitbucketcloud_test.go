package e2e

import (
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// shortSHA is headSHA as Bitbucket Cloud gives pull request commits: 12
// characters.
const shortSHA = "8f3a5b1c2d4e"

// TestBitbucketCloudPullRequestRunsAndReportsOnce drives Bitbucket Cloud
// end to end: signed deliveries, build statuses keyed by context on the
// short hash the payload gives.
func TestBitbucketCloudPullRequestRunsAndReportsOnce(t *testing.T) {
	runProviderFlow(t, newNamespace(t), bitbucketCloudFlow("cloud", changedFiles))
}

// bitbucketCloudFlow is pull request 7 of acme/widgets on a Bitbucket
// Cloud instance.
func bitbucketCloudFlow(instance string, files []string) providerFlow {
	fake := harness.NewFakeBitbucketCloud()
	fake.BitbucketCloudPullRequest(repo, 7, shortSHA, "feature", "main", files)
	in := scmInstance{kind: "bitbucketcloud", name: instance, secret: []byte("e2e-bitbucketcloud-" + instance), fake: fake}
	opened := harness.BitbucketCloudPullRequestEvent(repo, 7, shortSHA, "feature", "main")
	comment := harness.BitbucketCloudPullRequestComment(repo, 7, shortSHA, "feature", "main", "bob", "/test manual")
	path := harness.HookPath("bitbucketcloud", instance)
	return providerFlow{
		instance: in, owner: "acme", name: "widgets", number: 7, sha: shortSHA,
		opened:   delivery{path, harness.BitbucketCloudHeader("pullrequest:created", "bbc-pr-7", in.secret, opened), opened},
		comment:  delivery{path, harness.BitbucketCloudHeader("pullrequest:comment_created", "bbc-comment-7", in.secret, comment), comment},
		forged:   delivery{path, harness.BitbucketCloudHeader("pullrequest:created", "bbc-forged", []byte("wrong"), opened), opened},
		reported: func() []reported { return bitbucketReported(fake.BitbucketCloudStatuses()) },
		where:    repo, pending: "INPROGRESS", success: "SUCCESSFUL", failure: "FAILED",
	}
}

// bitbucketReported names a status by its key, and by its name too when
// the two differ.
func bitbucketReported(statuses []harness.BitbucketStatus) []reported {
	var out []reported
	for _, s := range statuses {
		ctx := s.Key
		if s.Name != s.Key {
			ctx += " (name " + s.Name + ")"
		}
		out = append(out, reported{Where: s.Repo, SHA: s.SHA, Context: ctx, State: s.State})
	}
	return out
}
