package e2e

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// TestGerritChangeRunsAndVotesOnce drives Gerrit end to end: the token in
// the hook URL's query (and, for the comment, as a Basic auth password),
// the results as verdict review messages on the change's revision by the
// configured user, and one vote: lint fails, so the change is voted
// Verified -1 and never +1, whichever job finishes last.
func TestGerritChangeRunsAndVotesOnce(t *testing.T) {
	fl := gerritFlow("review", changedFiles)
	runProviderFlow(t, newNamespace(t), fl)
	checkGerritVerdict(t, fl.instance.fake, -1)
	checkGerritMessageCount(t, fl.instance.fake)
}

// checkGerritMessageCount asserts the patch set got one review message
// per verdict and none per run state: its four jobs give one verdict, or
// two when /test manual started after the first three had finished (the
// second then lists all four), never the eight of a pending and a final
// message per job.
func checkGerritMessageCount(t *testing.T, fake *harness.FakeSCM) {
	t.Helper()
	verdicts := 0
	for _, r := range fake.GerritReviews() {
		if _, _, ok := r.Job(); ok {
			t.Errorf("review %q: a message for one run's state, want only verdicts", r.Message)
		}
		if _, _, ok := r.Verdict(); ok {
			verdicts++
		}
	}
	if verdicts < 1 || verdicts > 2 {
		t.Errorf("%d verdict messages on the patch set, want 1 (or 2 if /test manual came after the others finished)", verdicts)
	}
	t.Logf("review messages on the patch set: %d", verdicts)
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

// gerritReported reads the jobs of the newest verdict review of each
// revision: the change and the user who posted it, and each job and its
// state (a later verdict lists every job again; votes are checked on
// their own).
func gerritReported(fake *harness.FakeSCM) []reported {
	newest := map[string][]reported{}
	for _, r := range fake.GerritReviews() {
		_, jobs, ok := r.Verdict()
		if !ok {
			continue
		}
		var rs []reported
		for _, j := range jobs {
			rs = append(rs, reported{Where: r.Change + " as " + r.User, SHA: r.Revision, Context: j.Context, State: j.State})
		}
		newest[r.Change+"@"+r.Revision] = rs
	}
	var out []reported
	for _, rs := range newest {
		out = append(out, rs...)
	}
	return out
}
