package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// The local stack runs no kube-controller-manager, so nothing turns a
// Deployment into ReplicaSets and Pods. The chart tests start the real one
// for as long as they run, with only the controllers a Helm release needs:
// deployments, replica sets, the garbage collector (uninstall deletes a
// Deployment's ReplicaSets and Pods through it) and the disruption
// controller (PodDisruptionBudget status). It is built once, from the
// Kubernetes version the stack's build.sh pins, and cached beside the
// stack's binaries.

var (
	kcmBuild    sync.Once
	kcmBinary   string
	kcmBuildErr error
)

// kcmControllers are the kube-controller-manager controllers the chart
// tests run.
const kcmControllers = "deployment-controller,replicaset-controller,garbage-collector-controller,disruption-controller"

// startControllerManager runs kube-controller-manager against the stack
// until the test ends.
func startControllerManager(t *testing.T) {
	t.Helper()
	kcmBuild.Do(func() { kcmBinary, kcmBuildErr = buildControllerManager(context.Background()) })
	if kcmBuildErr != nil {
		t.Fatalf("kube-controller-manager: %v", kcmBuildErr)
	}
	logPath := filepath.Join(t.TempDir(), "kube-controller-manager.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kcmBinary,
		"--kubeconfig="+stack.Kubeconfig,
		"--controllers="+kcmControllers,
		"--leader-elect=false",
		"--secure-port=0",
		"--use-service-account-credentials=false",
		"--concurrent-deployment-syncs=10",
		"--concurrent-replicaset-syncs=10",
		"--v=1",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kube-controller-manager: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logFile.Close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("kube-controller-manager log (end):\n%s", tail(string(b), 40))
		}
	})
	select {
	case <-done:
		b, _ := os.ReadFile(logPath)
		t.Fatalf("kube-controller-manager exited at once:\n%s", tail(string(b), 40))
	case <-time.After(500 * time.Millisecond):
	}
}

// buildControllerManager returns the cached kube-controller-manager,
// building it first if it is missing.
func buildControllerManager(ctx context.Context) (string, error) {
	version, err := stackKubeVersion()
	if err != nil {
		return "", err
	}
	goVersion, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	root := os.Getenv("FRESNEL_E2E_CACHE")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".cache", "fresnel-e2e")
	}
	dir := filepath.Join(root, fmt.Sprintf("kcm-%s-%s", version, strings.TrimSpace(string(goVersion))))
	bin := filepath.Join(dir, "kube-controller-manager")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(os.Stderr, "e2e: building kube-controller-manager %s once into %s\n", version, dir)
	src := filepath.Join(dir, "src")
	if err := kcmModule(ctx, src, version); err != nil {
		return "", err
	}
	if err := goIn(ctx, src, "build", "-trimpath", "-ldflags", kubeLDFlags(version), "-o", bin+".tmp", "k8s.io/kubernetes/cmd/kube-controller-manager"); err != nil {
		return "", err
	}
	return bin, os.Rename(bin+".tmp", bin)
}

// stackKubeVersion reads KUBE_VERSION from the stack's build.sh, so that
// the controller manager matches the kube-apiserver.
func stackKubeVersion() (string, error) {
	path := filepath.Join(harness.RepoRoot(), "test", "stack", "build.sh")
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^KUBE_VERSION=(v[0-9][^\s#]*)`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no KUBE_VERSION= line in %s", path)
	}
	return string(m[1]), nil
}

// kcmModule writes a module requiring k8s.io/kubernetes at version, with
// its staging modules (which its own go.mod replaces by ./staging paths)
// pointed at their published releases, as build.sh does for the apiserver.
func kcmModule(ctx context.Context, dir, version string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]string{"go.mod": "module fresnel.local/kcm\n\ngo 1.25\n", "main.go": "package main\n\nfunc main() {}\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	out, err := exec.CommandContext(ctx, "go", "mod", "download", "-json", "k8s.io/kubernetes@"+version).Output()
	if err != nil {
		return fmt.Errorf("go mod download k8s.io/kubernetes@%s: %w", version, err)
	}
	var mod struct{ GoMod string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return err
	}
	gomod, err := os.ReadFile(mod.GoMod)
	if err != nil {
		return err
	}
	staging := "v0." + strings.TrimPrefix(version, "v1.")
	args := []string{"mod", "edit"}
	for _, m := range regexp.MustCompile(`(?m)^\s*(k8s\.io/[a-z0-9-]+) => \./staging/`).FindAllSubmatch(gomod, -1) {
		args = append(args, fmt.Sprintf("-replace=%s=%s@%s", m[1], m[1], staging))
	}
	if len(args) == 2 {
		return fmt.Errorf("no staging modules in %s", mod.GoMod)
	}
	if err := goIn(ctx, dir, args...); err != nil {
		return err
	}
	return goIn(ctx, dir, "get", "k8s.io/kubernetes/cmd/kube-controller-manager@"+version)
}

// kubeLDFlags stamps the release version as Kubernetes' build does.
func kubeLDFlags(version string) string {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	var flags []string
	for _, pkg := range []string{"k8s.io/client-go/pkg/version", "k8s.io/component-base/version"} {
		flags = append(flags, fmt.Sprintf("-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean",
			pkg, version, pkg, parts[0], pkg, parts[1], pkg))
	}
	return strings.Join(flags, " ")
}

func goIn(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 20))
	}
	return nil
}

// waitRolledOut waits until the Deployment's newest ReplicaSet has every
// replica updated and available, and returns the Deployment.
func waitRolledOut(t *testing.T, ns, name string) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	err := harness.WaitFor(60*time.Second, 200*time.Millisecond, func() (bool, error) {
		var err error
		d, err = stack.Kube.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		want := *d.Spec.Replicas
		s := d.Status
		return s.ObservedGeneration == d.Generation && s.UpdatedReplicas == want && s.AvailableReplicas == want && s.Replicas == want, nil
	})
	if err != nil {
		t.Fatalf("deployment %s/%s not rolled out: %v (status %+v)", ns, name, err, d.Status)
	}
	return d
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
