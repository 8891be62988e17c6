package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// takeoverJobs are two jobs every pull request runs.
const takeoverJobs = `
presubmits:
  acme/widgets:
  - name: quick
    always_run: true
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: quick
          taskSpec:
            steps:
            - {name: test, image: busybox, script: "exit 0"}
  - name: other
    always_run: true
    pipeline_run_spec:
      pipelineSpec:
        tasks:
        - name: other
          taskSpec:
            steps:
            - {name: test, image: busybox, script: "exit 0"}
`

// TestTakeoverDoesNotSendAgainWhatTheSCMShows stands for a controller
// killed after GitHub took a run's final status and before the run
// recorded it: the runs finish while no controller runs, GitHub already
// shows quick's success, and the controller that then starts sends
// other's success only, and records both on their runs.
func TestTakeoverDoesNotSendAgainWhatTheSCMShows(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	settings := githubSettings(ns, gh.URL)
	webhook := startRole(t, "webhook", settings, takeoverJobs)
	sha := fmt.Sprintf("%040x", 0x7a4e0)
	body := harness.GitHubPullRequestEvent("opened", repo, 1, sha, "main")
	status, ans := send(t, webhook, "github", "public", harness.GitHubHeader("pull_request", "takeover-1", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 2 {
		t.Fatalf("status %d, answer %+v", status, ans)
	}
	for _, pr := range waitAllDone(t, ns, 2) {
		if pr.Labels[runmeta.LabelJob] == "quick" {
			postPredecessorsStatus(t, gh, sha, pr)
		}
	}

	startRole(t, "controller", settings, takeoverJobs)
	waitFor(t, "every run reported", func() bool { return allReported(t, ns) })

	sent := map[string]int{}
	for _, s := range gh.GitHubStatuses() {
		sent[s.Context+" "+s.State]++
	}
	want := map[string]int{"quick success": 1, "other success": 1}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Errorf("statuses received = %v, want %v (quick's from the predecessor only)", sent, want)
	}
	if n := len(gh.Calls(http.MethodGet, "/repos/"+repo+"/statuses/"+sha)); n == 0 {
		t.Error("the controller never read the commit's statuses back")
	}
}

// postPredecessorsStatus sends GitHub the success status a controller
// reports for pr, as a predecessor killed before recording it had.
func postPredecessorsStatus(t *testing.T, gh *harness.FakeSCM, sha string, pr pipelinev1.PipelineRun) {
	t.Helper()
	data, _ := json.Marshal(harness.GitHubStatus{
		State: "success", Context: pr.Labels[runmeta.LabelJob], Description: "Job succeeded.",
		TargetURL: fmt.Sprintf("https://dashboard.example.com/runs/%s/%s", pr.Namespace, pr.Name),
	})
	res, err := http.Post(gh.URL+"/repos/"+repo+"/statuses/"+sha, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("predecessor's status: %s", res.Status)
	}
}

// TestTakeoverUpdatesTheCheckItsPredecessorMade stands for a controller of
// a GitHub App killed after GitHub made a run's check run and before the
// run recorded its id: the controller that then starts updates that check
// run to the run's result rather than making a second one.
func TestTakeoverUpdatesTheCheckItsPredecessorMade(t *testing.T) {
	ns := newNamespace(t)
	gh, pemKey := appGitHub(t)
	sha := fmt.Sprintf("%040x", 0x7a4e1)
	settings := githubAppSettings(ns, gh.URL)
	files := map[string]string{"config.yaml": takeoverJobs, "github-hmac": string(githubSecret), "github-app.pem": pemKey}
	webhook := startRoleFiles(t, "webhook", settings, files)
	body := harness.GitHubPullRequestEvent("opened", repo, 8, sha, "main")
	status, ans := send(t, webhook, "github", "public", harness.GitHubHeader("pull_request", "takeover-app-8", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 2 {
		t.Fatalf("status %d, answer %+v", status, ans)
	}
	predecessors := postCheckRun(t, gh, sha, "quick", "8/quick")

	startRoleFiles(t, "controller", settings, files)
	waitAllDone(t, ns, 2)
	waitFor(t, "every run reported", func() bool { return allReported(t, ns) })

	per := map[string][]harness.GitHubCheckRun{}
	for _, cr := range gh.GitHubCheckRuns() {
		per[cr.Name] = append(per[cr.Name], cr)
	}
	if got := per["quick"]; len(got) != 1 || got[0].ID != predecessors || got[0].Conclusion != "success" || got[0].Updates == 0 {
		t.Errorf("quick's check runs = %+v, want the predecessor's %d alone, updated to success", got, predecessors)
	}
	if got := per["other"]; len(got) != 1 || got[0].Conclusion != "success" {
		t.Errorf("other's check runs = %+v, want one, success", got)
	}
	for _, pr := range listRuns(t, ns) {
		if pr.Labels[runmeta.LabelJob] == "quick" && pr.Annotations[runmeta.AnnotationCheckRun] != fmt.Sprint(predecessors) {
			t.Errorf("quick's run records check run %q, want %d", pr.Annotations[runmeta.AnnotationCheckRun], predecessors)
		}
	}
}

// postCheckRun makes a queued check run on the GitHub stand-in, as a
// controller does for a run's first report, and returns its id.
func postCheckRun(t *testing.T, gh *harness.FakeSCM, sha, name, externalID string) int64 {
	t.Helper()
	data, _ := json.Marshal(map[string]string{"name": name, "head_sha": sha, "external_id": externalID, "status": "queued"})
	res, err := http.Post(gh.URL+"/repos/"+repo+"/check-runs", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("predecessor's check run: %s, %v", res.Status, err)
	}
	return out.ID
}

// TestTakeoverDoesNotSendAGerritVerdictAgain: a controller reports a
// patch set's verdict and stops; the lint run then loses what it
// recorded, as when a controller is killed between Gerrit's answer and
// its patch, while the other runs stay settled. The
// controller that starts next reads the change's messages, finds the
// verdict there, records it on the runs and posts no second review.
func TestTakeoverDoesNotSendAGerritVerdictAgain(t *testing.T) {
	ns := newNamespace(t)
	fl := gerritFlow("review", changedFiles)
	defer fl.instance.fake.Close()
	settings, files := scmSettings(ns, scmJobs(repo), fl.instance)
	webhook := startRoleFiles(t, "webhook", settings, files)
	if status, ans := sendDelivery(t, webhook, fl.opened); status != http.StatusOK || len(ans.Runs) != 3 {
		t.Fatalf("patch set: status %d, answer %+v", status, ans)
	}
	waitAllDone(t, ns, 3)
	first := startRoleFiles(t, "controller", settings, files)
	waitFor(t, "every run's result recorded", func() bool { return allFinalReported(t, ns) })
	first.Stop()
	if n := gerritVerdicts(fl.instance.fake); n != 1 {
		t.Fatalf("%d verdicts from the first controller, want 1", n)
	}
	for _, pr := range listRuns(t, ns) {
		if pr.Labels[runmeta.LabelJob] == "lint" { // the others stay settled: the ledger's
			forgetReported(t, pr)
		}
	}

	startRoleFiles(t, "controller", settings, files)
	waitFor(t, "every run's result recorded again", func() bool { return allFinalReported(t, ns) })
	time.Sleep(settle) // a second verdict would arrive now
	if n := gerritVerdicts(fl.instance.fake); n != 1 {
		t.Errorf("%d verdicts on the patch set, want the first controller's alone", n)
	}
	if len(fl.instance.fake.Calls(http.MethodGet, "/a/changes/acme%2Fwidgets~7")) == 0 {
		t.Error("the second controller never read the change's messages")
	}
}

// allFinalReported says whether every run's final state is recorded.
func allFinalReported(t *testing.T, ns string) bool {
	for _, pr := range listRuns(t, ns) {
		if s := pr.Annotations[runmeta.AnnotationReportedState]; s == "" || s == "pending" {
			return false
		}
	}
	return true
}

// forgetReported removes what the reporter recorded on pr.
func forgetReported(t *testing.T, pr pipelinev1.PipelineRun) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:null},"labels":{%q:null}}}`, runmeta.AnnotationReportedState, runmeta.LabelSettled)
	_, err := stack.Tekton.TektonV1().PipelineRuns(pr.Namespace).Patch(context.Background(), pr.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func gerritVerdicts(fake *harness.FakeSCM) int {
	n := 0
	for _, r := range fake.GerritReviews() {
		if _, _, ok := r.Verdict(); ok {
			n++
		}
	}
	return n
}
