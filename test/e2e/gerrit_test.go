package e2e

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// TestGerritChangeRunsAndVotesOnce drives Gerrit end to end: the token in
// the hook URL's query (and, for the comment, as a Basic auth password),
// each result as one review message on the change's revision by the
// configured user, and one verdict: lint fails, so the change is voted
// Verified -1 and never +1, whichever job finishes last.
func TestGerritChangeRunsAndVotesOnce(t *testing.T) {
	fl := gerritFlow("review", changedFiles)
	runProviderFlow(t, newNamespace(t), fl)
	checkGerritVerdict(t, fl.instance.fake, -1)
}

// checkGerritVerdict asserts every vote cast agrees with want: Gerrit
// keeps one vote per account, so a job's own result must never overwrite
// the verdict of the revision's other jobs.
func checkGerritVerdict(t *testing.T, fake *harness.FakeSCM, want int) {
	t.Helper()
	votes := 0
	for _, r := range fake.GerritReviews() {
		if v, ok := r.Labels["Verified"]; ok {
			votes++
			if v != want {
				t.Errorf("review %+v voted Verified=%+d, want only %+d", r, v, want)
			}
		}
	}
	if votes == 0 {
		t.Errorf("no review voted Verified")
	}
}

// gerritFlow is patch set 1 of change 7 of project acme/widgets on a
// Gerrit instance.
func gerritFlow(instance string, files []string) providerFlow {
	fake := harness.NewFakeGerrit()
	fake.GerritChange(repo, 7, headSHA, files)
	in := scmInstance{kind: "gerrit", name: instance, secret: []byte("e2e-gerrit-" + instance), fake: fake, extra: "  username: fresnel-ci\n"}
	opened := harness.GerritPatchsetCreated(repo, 7, 1, headSHA, "main")
	comment := harness.GerritCommentAdded(repo, 7, 1, headSHA, "main", "bob", "/test manual")
	return providerFlow{
		instance: in, owner: "acme", name: "widgets", number: 7, sha: headSHA,
		opened:   delivery{harness.GerritHookPath(instance, in.secret), harness.GerritHeader(), opened},
		comment:  delivery{harness.HookPath("gerrit", instance), basicAuth(harness.GerritHeader(), "gerrit", in.secret), comment},
		forged:   delivery{harness.GerritHookPath(instance, []byte("wrong")), harness.GerritHeader(), opened},
		reported: func() []reported { return gerritReported(fake) },
		where:    repo + "~7 as fresnel-ci", pending: "PENDING", success: "SUCCESS", failure: "FAILURE",
	}
}

// basicAuth adds Basic auth credentials to a header.
func basicAuth(h http.Header, user string, password []byte) http.Header {
	req := &http.Request{Header: h}
	req.SetBasicAuth(user, string(password))
	return h
}

// gerritReported reads each status review: the change and the user who
// posted it, and the job and state from its message (votes are the
// revision's verdict, checked on their own).
func gerritReported(fake *harness.FakeSCM) []reported {
	var out []reported
	for _, r := range fake.GerritReviews() {
		ctx, state, ok := r.Job()
		if !ok {
			continue
		}
		out = append(out, reported{Where: r.Change + " as " + r.User, SHA: r.Revision, Context: ctx, State: state})
	}
	return out
}
