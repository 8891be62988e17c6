package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// decoratedJobs is one decorated Prow pod-spec presubmit: two containers,
// the second with a working directory of its own, an extra repository,
// a path alias and a timeout.
const decoratedJobs = `
presubmits:
  acme/widgets:
  - name: build
    always_run: true
    decorate: true
    path_alias: widgets.example.com/widgets
    decoration_config: {timeout: 20m, grace_period: 30s}
    extra_refs:
    - {org: acme, repo: tools, base_ref: main}
    spec:
      containers:
      - name: test
        image: golang:1.22
        command: [make, test]
        env: [{name: GOFLAGS, value: -mod=vendor}]
      - name: report
        image: busybox
        command: [sh, -c, "ls $ARTIFACTS"]
        workingDir: /tmp
`

// TestDecoratedPodSpecJobRunsOnTekton sends a pull request to fresnel and
// checks what the real Tekton controller made of the decorated job's run:
// the pod it created has the clone step first, Prow's environment and the
// shared code volume on every step, and the run ends without a
// validation error. (kwok fakes the pod: the clone does not really run;
// the clone script itself is tested with real git in triggers.)
func TestDecoratedPodSpecJobRunsOnTekton(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubPullRequest(repo, 21, headSHA, "main", []string{"main.go"})
	settings := githubSettings(ns, gh.URL) + "decoration:\n  cloneImage: e2e.example.com/git:2.52\n"
	f := startFresnel(t, stack.Kubeconfig, settings, decoratedJobs)

	body := harness.GitHubPullRequestEvent("opened", repo, 21, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "delivery-decorated-21", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 1 {
		t.Fatalf("status %d, answer %+v; want one run", status, ans)
	}
	pr := waitAllDone(t, ns, 1)[0]
	if c := pr.Status.GetCondition(apis.ConditionSucceeded); c.Status != corev1.ConditionTrue {
		t.Fatalf("run %s ended %s: %s (%s)", pr.Name, c.Status, c.Reason, c.Message)
	}
	if to := pr.Spec.Timeouts; to == nil || to.Pipeline.Duration != 20*time.Minute+30*time.Second || to.Tasks.Duration != 20*time.Minute {
		t.Errorf("timeouts Tekton kept = %+v, want pipeline 20m30s, tasks 20m", to)
	}
	pod := taskRunPod(t, ns, pr)
	checkDecoratedPod(t, pod, pr.Name)

	// explain --show-runs, given the same files and delivery, prints the
	// very run the webhook created.
	shown := explainShowRuns(t, f.Dir, body, "delivery-decorated-21")
	if len(shown) != 1 {
		t.Fatalf("explain --show-runs printed %d runs, want 1", len(shown))
	}
	if shown[0].Namespace != pr.Namespace || shown[0].Name != pr.Name {
		t.Errorf("explain shows %s/%s, the webhook created %s/%s", shown[0].Namespace, shown[0].Name, pr.Namespace, pr.Name)
	}
	if diff := cmp.Diff(pr.Spec, shown[0].Spec); diff != "" {
		t.Errorf("spec, created (-) and explained (+):\n%s", diff)
	}
	for what, pair := range map[string][2]map[string]string{
		"labels": {pr.Labels, shown[0].Labels}, "annotations": {pr.Annotations, shown[0].Annotations},
	} {
		if diff := cmp.Diff(asCreated(pair[0]), pair[1]); diff != "" {
			t.Errorf("%s, created (-) and explained (+):\n%s", what, diff)
		}
	}
}

// reporterKeys are the labels and annotations fresnel's reporter adds.
var reporterKeys = map[string]bool{runmeta.AnnotationReportedState: true, runmeta.LabelSettled: true,
	runmeta.AnnotationResult: true, runmeta.AnnotationFinishedAt: true, runmeta.AnnotationJobName: true}

// asCreated drops what was added after creation: by the Tekton controller
// (tekton.dev/...) and by fresnel's reporter (reporterKeys).
func asCreated(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !strings.HasPrefix(k, "tekton.dev/") && !reporterKeys[k] {
			out[k] = v
		}
	}
	return out
}

// explainShowRuns runs fresnel explain --show-runs on a GitHub
// pull_request payload with the settings and config.yaml in dir.
func explainShowRuns(t *testing.T, dir string, body []byte, delivery string) []pipelinev1.PipelineRun {
	t.Helper()
	payload := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(payload, body, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "explain", "--config", filepath.Join(dir, "config.yaml"), "--provider", "github",
		"--event", "pull_request", "--payload", payload, "--show-runs", "--settings", filepath.Join(dir, "fresnel.yaml"),
		"--delivery", delivery)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, out)
	}
	var answer struct {
		PipelineRuns []pipelinev1.PipelineRun `json:"pipelineRuns"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		t.Fatalf("explain's answer: %v\n%s", err, out)
	}
	return answer.PipelineRuns
}

// taskRunPod returns the pod Tekton created for the run's one TaskRun.
func taskRunPod(t *testing.T, ns string, pr pipelinev1.PipelineRun) *corev1.Pod {
	t.Helper()
	trs, err := stack.Tekton.TektonV1().TaskRuns(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "tekton.dev/pipelineRun=" + pr.Name})
	if err != nil || len(trs.Items) != 1 {
		t.Fatalf("TaskRuns of %s: %v, %d; want one", pr.Name, err, len(trs.Items))
	}
	tr := trs.Items[0]
	pod, err := stack.Kube.CoreV1().Pods(ns).Get(t.Context(), tr.Status.PodName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("pod %q of TaskRun %s: %v", tr.Status.PodName, tr.Name, err)
	}
	return pod
}

func checkDecoratedPod(t *testing.T, pod *corev1.Pod, runName string) {
	t.Helper()
	cs := pod.Spec.Containers
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "step-clonerefs,step-test,step-report" {
		t.Fatalf("pod containers = %v, want step-clonerefs, step-test, step-report", names)
	}
	if cs[0].Image != "e2e.example.com/git:2.52" {
		t.Errorf("clone step image = %q, want the one fresnel.yaml names", cs[0].Image)
	}
	if cmd := strings.Join(append(cs[0].Command, cs[0].Args...), " "); !strings.Contains(cmd, "/tekton/scripts/") {
		t.Errorf("the clone step does not run its script through Tekton: %s", cmd)
	}
	code := "/home/prow/go/src/widgets.example.com/widgets"
	wantEnv := map[string]string{
		"JOB_NAME": "build", "JOB_TYPE": "presubmit", "BUILD_ID": runName, "PROW_JOB_ID": runName, "CI": "true",
		"REPO_OWNER": "acme", "REPO_NAME": "widgets", "PULL_NUMBER": "21", "PULL_PULL_SHA": headSHA,
		"PULL_BASE_REF": "main", "PULL_REFS": "main:1111111111111111111111111111111111111111,21:" + headSHA,
		"ARTIFACTS": "/logs/artifacts", "GOPATH": "/home/prow/go", "GOFLAGS": "-mod=vendor",
	}
	for _, c := range cs[1:] {
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		for k, v := range wantEnv {
			if k == "GOFLAGS" && c.Name != "step-test" {
				continue
			}
			if env[k] != v {
				t.Errorf("%s: %s = %q, want %q", c.Name, k, env[k], v)
			}
		}
		if !strings.Contains(env["JOB_SPEC"], `"extra_refs":[{"org":"acme","repo":"tools","base_ref":"main"}]`) {
			t.Errorf("%s: JOB_SPEC lacks the extra ref: %s", c.Name, env["JOB_SPEC"])
		}
	}
	for _, c := range cs {
		if !mounts(c, "/home/prow/go") {
			t.Errorf("%s does not mount the code volume at /home/prow/go: %+v", c.Name, c.VolumeMounts)
		}
	}
	if cs[1].WorkingDir != code || cs[2].WorkingDir != "/tmp" {
		t.Errorf("working dirs = %q, %q; want %s and the container's own /tmp", cs[1].WorkingDir, cs[2].WorkingDir, code)
	}
	if !emptyDirVolume(pod, "fresnel-code") || !emptyDirVolume(pod, "fresnel-artifacts") {
		t.Errorf("pod volumes %+v lack the emptyDirs fresnel-code and fresnel-artifacts", pod.Spec.Volumes)
	}
}

func mounts(c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}

func emptyDirVolume(pod *corev1.Pod, name string) bool {
	for _, v := range pod.Spec.Volumes {
		if v.Name == name && v.EmptyDir != nil {
			return true
		}
	}
	return false
}
