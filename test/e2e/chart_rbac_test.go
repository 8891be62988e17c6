package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// TestHelmChartRBACSufficesForEachRole installs the chart in split mode
// with PipelineRuns going to another namespace than the release's, then
// runs fresnel (the host binary) as each Deployment's pod would run it:
// its arguments, the files its volumes hold, and its ServiceAccount's token.
// Both probes of each role must answer 200; a pull request must become a
// PipelineRun in the run namespace (the webhook's Role) and a reported
// status (the controller's); a failing run of a GitHub App instance must
// get a check run naming its failed step (read from its TaskRuns); two
// controllers must elect a leader through the Lease, which the leader
// keeps renewing; and no process may meet a "forbidden".
func TestHelmChartRBACSufficesForEachRole(t *testing.T) {
	ns, runNS := newNamespace(t), newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	app, appKey := appGitHub(t)
	const appRepo = "acme/tools"
	rel := releaseName("frr")
	h := newHelm(t)
	t.Cleanup(func() { _, _, _ = h.run("uninstall", rel, "-n", ns) })
	h.must(t, "install", rel, chartDir(), "-n", ns, "-f", valuesFile(t, `
mode: split
runNamespace: `+runNS+`
providers:
- kind: github
  name: public
  url: `+gh.URL+`
  webhookSecret: {value: `+string(githubSecret)+`}
  token: {value: ghp_chart}
- kind: github
  name: app
  url: `+app.URL+`
  webhookSecret: {value: `+string(githubSecret)+`}
  app: {id: `+strconv.Itoa(e2eAppID)+`, privateKey: {value: `+strconv.Quote(appKey)+`}}
report:
  targetURL: "https://dashboard.example.com/{{.Name}}"
prow:
  config: |
    presubmits:
      acme/widgets:
      - name: unit
        always_run: true
        spec: {containers: [{image: busybox, command: [sh, -c, "true"]}]}
      `+appRepo+`:
      - name: lint
        always_run: true
        annotations: {fresnel.dev/test-exit-code: "1"}
        pipeline_run_spec:
          pipelineSpec:
            tasks:
            - name: lint
              taskSpec:
                steps:
                - {name: vet, image: golang, script: go vet ./...}
`))
	webhook := startChartRole(t, ns, rel+"-webhook")
	controllers := []*chartProcess{startChartRole(t, ns, rel+"-controller"), startChartRole(t, ns, rel+"-controller")}

	body := harness.GitHubPullRequestEvent("opened", repo, 21, headSHA, "main")
	status, ans := send(t, &harness.Fresnel{URL: webhook.ports["http"]}, "github", "public", harness.GitHubHeader("pull_request", "chart-rbac-1", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 1 || !ans.Runs[0].Created {
		t.Fatalf("status %d answer %+v\nwebhook logs:\n%s", status, ans, webhook.logs())
	}
	if runs := listRuns(t, runNS); len(runs) != 1 {
		t.Errorf("%d PipelineRuns in the run namespace, want 1", len(runs))
	}
	waitStatuses(t, gh, map[string]string{"unit": "success"})

	app.GitHubPullRequest(appRepo, 3, headSHA, "main", []string{"main.go"})
	body = harness.GitHubPullRequestEvent("opened", appRepo, 3, headSHA, "main")
	status, ans = send(t, &harness.Fresnel{URL: webhook.ports["http"]}, "github", "app", harness.GitHubHeader("pull_request", "chart-rbac-app", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 1 {
		t.Fatalf("App instance: status %d answer %+v\nwebhook logs:\n%s", status, ans, webhook.logs())
	}
	for _, r := range checkRunsDone(t, app, map[string]string{"lint": "failure"}, map[string]int{"lint": 1}) {
		if !strings.Contains(r.Output.Summary, "Failed step: `lint/vet`") {
			t.Errorf("check run summary %q, want the failed step lint/vet (read from the TaskRun)", r.Output.Summary)
		}
	}
	checkLeaseRenewed(t, runNS)

	for _, p := range append(controllers, webhook) {
		if logs := p.logs(); strings.Contains(strings.ToLower(logs), "forbidden") {
			t.Errorf("%s met a forbidden answer:\n%s", p.name, logs)
		}
	}
}

// chartProcess is fresnel run on the host as a chart's pod.
type chartProcess struct {
	name    string
	ports   map[string]string // container port name -> base URL on loopback
	logPath string
}

func (p *chartProcess) logs() string { b, _ := os.ReadFile(p.logPath); return string(b) }

// startChartRole runs the binary with the Deployment's container
// arguments, its volumes laid out under a temporary root, its ports moved
// to free loopback ports and its ServiceAccount's token, and waits for its
// readiness and liveness probes to answer 200.
func startChartRole(t *testing.T, ns, deployment string) *chartProcess {
	t.Helper()
	d, err := stack.Kube.AppsV1().Deployments(ns).Get(t.Context(), deployment, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := d.Spec.Template.Spec
	root := t.TempDir()
	podRoot(t, ns, spec, root)
	settings := rerootSettings(t, root)
	kubeconfig := serviceAccountKubeconfig(t, ns, spec.ServiceAccountName, root)
	c := spec.Containers[0]
	p := &chartProcess{name: deployment, ports: map[string]string{}, logPath: filepath.Join(root, "fresnel.log")}
	args, env := hostArgs(t, c, settings, p.ports)
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, append(args, "--kubeconfig="+kubeconfig)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
		}
		logFile.Close()
	})
	for _, probe := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		url := p.ports[probe.HTTPGet.Port.String()] + probe.HTTPGet.Path
		if err := waitHTTP200(url); err != nil {
			t.Fatalf("%s: probe %s: %v\n%s", deployment, url, err, p.logs())
		}
	}
	return p
}

// hostArgs returns the container's arguments and environment for a host
// run: the settings path under the root, and each container port moved to
// a free loopback port (http through FRESNEL_ADDRESS, metrics through
// --metrics-addr), recorded in ports.
func hostArgs(t *testing.T, c corev1.Container, settings string, ports map[string]string) (args, env []string) {
	t.Helper()
	addr := map[string]string{}
	for _, cp := range c.Ports {
		port, err := harness.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr[cp.Name] = "127.0.0.1:" + strconv.Itoa(port)
		ports[cp.Name] = "http://" + addr[cp.Name]
	}
	for name := range addr {
		if name != "http" && name != "metrics" {
			t.Fatalf("container port %q: the test knows no way to move it", name)
		}
	}
	if a, ok := addr["http"]; ok {
		env = append(env, "FRESNEL_ADDRESS="+a)
	}
	for _, arg := range c.Args {
		switch {
		case strings.HasPrefix(arg, "--settings="):
			arg = "--settings=" + settings
		case strings.HasPrefix(arg, "--metrics-addr="):
			arg = "--metrics-addr=" + addr["metrics"]
		}
		args = append(args, arg)
	}
	return args, env
}

func waitHTTP200(url string) error {
	var last string
	err := harness.WaitFor(30*time.Second, 100*time.Millisecond, func() (bool, error) {
		resp, err := http.Get(url)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("%w (last: %s)", err, last)
	}
	return nil
}

// checkLeaseRenewed checks that a controller holds the Lease and renews it.
func checkLeaseRenewed(t *testing.T, ns string) {
	t.Helper()
	var first *coordinationv1.Lease
	err := harness.WaitFor(30*time.Second, 200*time.Millisecond, func() (bool, error) {
		l, err := stack.Kube.CoordinationV1().Leases(ns).Get(t.Context(), "fresnel-controller", metav1.GetOptions{})
		if err != nil || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" || l.Spec.RenewTime == nil {
			return false, nil
		}
		if first == nil {
			first = l
			return false, nil
		}
		return l.Spec.RenewTime.After(first.Spec.RenewTime.Time) && *l.Spec.HolderIdentity == *first.Spec.HolderIdentity, nil
	})
	if err != nil {
		t.Errorf("Lease fresnel-controller in %s not held and renewed (first seen %+v): %v", ns, first, err)
	}
}
