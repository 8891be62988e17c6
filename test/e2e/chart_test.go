package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// stackTool runs one of the local stack's binaries (helm, kubectl).
func stackTool(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(stack.Bin, name), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+stack.Kubeconfig)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestHelmChartInstallsAndItsRBACSuffices renders charts/fresnel, applies
// it to the real apiserver, then runs fresnel with the settings the chart
// rendered and the chart's ServiceAccount token: a pull request must flow
// to a PipelineRun and a reported status under that RBAC alone.
func TestHelmChartInstallsAndItsRBACSuffices(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, `
providers:
- kind: github
  name: public
  url: `+gh.URL+`
secrets:
  github-public-hmac: `+string(githubSecret)+`
  github-public-token: ghp_chart
report:
  targetURL: "https://dashboard.example.com/{{.Name}}"
prow:
  config: |
    presubmits:
      acme/widgets:
      - name: unit
        always_run: true
        spec:
          containers:
          - image: busybox
            command: [sh, -c, "true"]
`)
	chart := filepath.Join(harness.RepoRoot(), "charts", "fresnel")
	rendered := stackTool(t, nil, "helm", "template", "fresnel", chart, "--namespace", ns, "-f", values)
	stackTool(t, rendered, "kubectl", "apply", "-n", ns, "-f", "-")

	dir := t.TempDir()
	settings := chartFiles(t, ns, dir)
	kubeconfig := serviceAccountKubeconfig(t, ns, "fresnel", dir)
	f, err := harness.StartFresnel(t.Context(), dir, harness.FresnelOptions{Binary: binary, Kubeconfig: kubeconfig, Settings: settings})
	if err != nil {
		t.Fatalf("fresnel with the chart's settings and ServiceAccount: %v", err)
	}
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("fresnel logs:\n%s", f.Logs())
		}
	})
	body := harness.GitHubPullRequestEvent("opened", repo, 21, headSHA, "main")
	status, ans := send(t, f, "github", "public", harness.GitHubHeader("pull_request", "chart-1", githubSecret, body), body)
	if status != http.StatusOK || len(ans.Runs) != 1 || !ans.Runs[0].Created {
		t.Fatalf("status %d answer %+v", status, ans)
	}
	waitStatuses(t, gh, map[string]string{"unit": "success"})
}

// chartFiles reads what the chart put in its ConfigMap and Secret and
// lays it out under dir as the pod would see it under /etc/fresnel; it
// returns fresnel.yaml with its paths pointing there.
func chartFiles(t *testing.T, ns, dir string) string {
	t.Helper()
	cm, err := stack.Kube.CoreV1().ConfigMaps(ns).Get(t.Context(), "fresnel-config", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range cm.Data {
		writeFile(t, filepath.Join(dir, "prow", name), content)
	}
	secret, err := stack.Kube.CoreV1().Secrets(ns).Get(t.Context(), "fresnel-secrets", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range secret.Data {
		writeFile(t, filepath.Join(dir, "secrets", name), string(content))
	}
	return strings.ReplaceAll(cm.Data["fresnel.yaml"], "/etc/fresnel/", dir+"/")
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the
// ServiceAccount, with a token from the TokenRequest API.
func serviceAccountKubeconfig(t *testing.T, ns, sa, dir string) string {
	t.Helper()
	token := strings.TrimSpace(string(stackTool(t, nil, "kubectl", "create", "token", sa, "-n", ns)))
	admin, err := clientcmd.LoadFromFile(stack.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cluster := admin.Clusters[admin.Contexts[admin.CurrentContext].Cluster]
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["stack"] = cluster
	cfg.AuthInfos["sa"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["sa"] = &clientcmdapi.Context{Cluster: "stack", AuthInfo: "sa", Namespace: ns}
	cfg.CurrentContext = "sa"
	path := filepath.Join(dir, "kubeconfig-sa")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
