package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// Helpers of the chart tests (chart_*_test.go): the stack's helm, run
// hermetically, and a stand-in for the kubelet that lays out a pod's
// volumes on disk so that fresnel can run as the chart's pod would.

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

// chartDir is charts/fresnel.
func chartDir() string { return filepath.Join(harness.RepoRoot(), "charts", "fresnel") }

// helmCLI runs the stack's helm with its own cache, config and data
// directories (no repositories, no stale discovery cache).
type helmCLI struct{ env []string }

func newHelm(t *testing.T) helmCLI {
	t.Helper()
	home := t.TempDir()
	return helmCLI{env: append(os.Environ(), "KUBECONFIG="+stack.Kubeconfig,
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))}
}

// run returns helm's standard output and error.
func (h helmCLI) run(args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(filepath.Join(stack.Bin, "helm"), args...)
	cmd.Env = h.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// must runs helm and fails the test if it fails.
func (h helmCLI) must(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := h.run(args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// install runs helm install --wait and uninstalls at the end of the test
// unless the test did.
func (h helmCLI) install(t *testing.T, ns, release string, args ...string) string {
	t.Helper()
	t.Cleanup(func() { _, _, _ = h.run("uninstall", release, "-n", ns, "--wait", "--timeout", "60s") })
	return h.must(t, append([]string{"install", release, chartDir(), "-n", ns, "--wait", "--timeout", "90s"}, args...)...)
}

// valuesFile writes a values file and returns its path.
func valuesFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, path, content)
	return path
}

// podRoot lays out the volumes a Deployment's first container mounts
// under root (mountPath /etc/x becomes root/etc/x), reading ConfigMaps and
// Secrets from the cluster as the kubelet would, items and projections
// included.
func podRoot(t *testing.T, ns string, spec corev1.PodSpec, root string) {
	t.Helper()
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	for _, m := range spec.Containers[0].VolumeMounts {
		v, ok := volumes[m.Name]
		if !ok {
			t.Fatalf("volume mount %s names no volume", m.Name)
		}
		dir := filepath.Join(root, m.MountPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for path, content := range volumeFiles(t, ns, v) {
			writeFile(t, filepath.Join(dir, path), content)
		}
	}
}

// volumeFiles returns a volume's files by path.
func volumeFiles(t *testing.T, ns string, v corev1.Volume) map[string]string {
	t.Helper()
	files := map[string]string{}
	switch {
	case v.ConfigMap != nil:
		projectConfigMap(t, ns, v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional, files)
	case v.Secret != nil:
		projectSecret(t, ns, v.Secret.SecretName, v.Secret.Items, v.Secret.Optional, files)
	case v.Projected != nil:
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				projectConfigMap(t, ns, s.ConfigMap.Name, s.ConfigMap.Items, s.ConfigMap.Optional, files)
			case s.Secret != nil:
				projectSecret(t, ns, s.Secret.Name, s.Secret.Items, s.Secret.Optional, files)
			default:
				t.Fatalf("volume %s: a projection the test cannot lay out: %+v", v.Name, s)
			}
		}
	case v.EmptyDir != nil:
	default:
		t.Fatalf("volume %s: a source the test cannot lay out", v.Name)
	}
	return files
}

func projectConfigMap(t *testing.T, ns, name string, items []corev1.KeyToPath, optional *bool, files map[string]string) {
	t.Helper()
	cm, err := stack.Kube.CoreV1().ConfigMaps(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return
		}
		t.Fatalf("ConfigMap a pod mounts: %v", err)
	}
	project(t, "ConfigMap "+name, cm.Data, items, files)
}

func projectSecret(t *testing.T, ns, name string, items []corev1.KeyToPath, optional *bool, files map[string]string) {
	t.Helper()
	s, err := stack.Kube.CoreV1().Secrets(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return
		}
		t.Fatalf("Secret a pod mounts: %v", err)
	}
	data := map[string]string{}
	for k, v := range s.Data {
		data[k] = string(v)
	}
	project(t, "Secret "+name, data, items, files)
}

// project copies data into files: every key, or only the items (a
// missing item key fails the pod, so it fails the test).
func project(t *testing.T, what string, data map[string]string, items []corev1.KeyToPath, files map[string]string) {
	t.Helper()
	if len(items) == 0 {
		for k, v := range data {
			files[k] = v
		}
		return
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			t.Fatalf("%s has no key %q that the pod mounts as %s", what, it.Key, it.Path)
		}
		files[it.Path] = v
	}
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the
// ServiceAccount, with a token from the TokenRequest API.
func serviceAccountKubeconfig(t *testing.T, ns, sa, dir string) string {
	t.Helper()
	token := strings.TrimSpace(string(stackTool(t, nil, "kubectl", "create", "token", sa, "-n", ns, "--duration", "1h")))
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
	path := filepath.Join(dir, "kubeconfig-"+sa)
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

// releaseName is a release name of the test's own, so that label
// selectors on app.kubernetes.io/instance see no other test's objects.
func releaseName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1e6)
}
