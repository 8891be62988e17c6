package fault

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// repo is the repository (GitHub) and project (GitLab) of every pull
// request the suite opens.
const repo = "acme/widgets"

// jobs are the presubmits every pull request starts.
var jobs = []string{"unit", "lint"}

// jobConfig has the two always_run jobs; their runs stay pending in Tekton
// (spec.status: PipelineRunPending), so the suite loads fresnel's intake
// and the apiserver, not the simulated node.
const jobConfig = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    tekton_pipeline_run_spec:
      v1: {status: PipelineRunPending, pipelineSpec: {tasks: [{name: unit, taskSpec: {steps: [{name: test, image: busybox, script: exit 0}]}}]}}
  - name: lint
    always_run: true
    tekton_pipeline_run_spec:
      v1: {status: PipelineRunPending, pipelineSpec: {tasks: [{name: lint, taskSpec: {steps: [{name: vet, image: busybox, script: exit 0}]}}]}}
`

// Instance names and secrets of the two SCMs.
const (
	githubInstance = "hub"
	gitlabInstance = "lab"
)

var (
	githubSecret = []byte("fault-github-hmac")
	gitlabToken  = []byte("fault-gitlab-token")
)

// install is one fresnel under test: its namespace, the stand-ins of its
// two SCMs, and the fresnel process currently serving (a scenario may
// kill it and start another).
type install struct {
	t        *testing.T
	ns       string
	settings string
	files    map[string]string
	current  atomic.Pointer[harness.Fresnel]
	peakKiB  atomic.Int64
}

// newInstall makes a namespace and SCM stand-ins for one scenario; server
// is extra settings under `server:` (timeouts), or empty.
func newInstall(t *testing.T, name, server string) *install {
	t.Helper()
	ns := fmt.Sprintf("fault-%s-%d", name, time.Now().UnixNano()%1e6)
	if err := stack.Namespace(t.Context(), ns); err != nil {
		t.Fatalf("namespace %s: %v", ns, err)
	}
	if !ownStack {
		t.Cleanup(func() { deleteRuns(ns) })
	}
	github, gitlab := harness.NewFakeGitHub(), harness.NewFakeGitLab()
	t.Cleanup(github.Close)
	t.Cleanup(gitlab.Close)
	settings := fmt.Sprintf(`namespace: %s
prow:
  config: config.yaml
providers:
- {kind: github, name: %s, url: %s, secret: {file: github-secret}, token: {file: github-token}}
- {kind: gitlab, name: %s, url: %s, secret: {file: gitlab-secret}, token: {file: gitlab-api-token}}
`, ns, githubInstance, github.URL, gitlabInstance, gitlab.URL)
	if server != "" {
		settings += "server: " + server + "\n"
	}
	files := map[string]string{
		"config.yaml": jobConfig, "github-secret": string(githubSecret), "github-token": "ghp_fault",
		"gitlab-secret": string(gitlabToken), "gitlab-api-token": "glpat-fault",
	}
	return &install{t: t, ns: ns, settings: settings, files: files}
}

// start runs a new fresnel webhook process and makes it the one deliveries
// go to; it is stopped when the test ends.
func (in *install) start() *harness.Fresnel {
	in.t.Helper()
	f, err := harness.StartFresnel(in.t.Context(), in.t.TempDir(), harness.FresnelOptions{
		Binary: binary, Role: "webhook", Kubeconfig: stack.Kubeconfig,
		Settings: in.settings, Files: in.files, Env: []string{"GOMAXPROCS=2"},
	})
	if err != nil {
		in.t.Fatalf("start fresnel: %v", err)
	}
	in.t.Cleanup(func() {
		in.samplePeak()
		f.Stop()
		if in.t.Failed() {
			in.t.Logf("fresnel (pid %d) logs, last lines:\n%s", f.PID(), lastLines(f.Logs(), 40))
		}
	})
	in.current.Store(f)
	return f
}

// url is the hook base URL of the fresnel serving now.
func (in *install) url() string { return in.current.Load().URL }

// samplePeak folds the serving process's peak RSS (VmHWM) into the
// scenario's peak; call it before killing a process.
func (in *install) samplePeak() {
	kib := int64(peakRSS(in.current.Load().PID()))
	for {
		old := in.peakKiB.Load()
		if kib <= old || in.peakKiB.CompareAndSwap(old, kib) {
			return
		}
	}
}

// peakRSS reads VmHWM, a process's peak resident set, in KiB; 0 when the
// process is gone.
func peakRSS(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// deleteRuns removes a scenario's PipelineRuns (pending ones have no
// TaskRuns or Pods) from a stack the developer started. A stack the suite
// started goes away at its end with them: deleting 2,000 runs takes the
// apiserver about a minute here, more than the scenario that made them.
func deleteRuns(ns string) {
	_ = stack.Tekton.TektonV1().PipelineRuns(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{})
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
