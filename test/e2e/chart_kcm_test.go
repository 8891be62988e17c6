package e2e

import (
	"context"
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
// controller (PodDisruptionBudget status). The stack's build.sh builds it
// once, with the kube-apiserver, and caches it beside it.

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

// buildControllerManager returns the stack's kube-controller-manager,
// which build.sh builds once, with the kube-apiserver's version and module,
// when asked for it.
func buildControllerManager(ctx context.Context) (string, error) {
	script := filepath.Join(harness.RepoRoot(), "test", "stack", "build.sh")
	cmd := exec.CommandContext(ctx, script, "kube-controller-manager")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s kube-controller-manager: %w", script, err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "kube-controller-manager"), nil
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

// stackKubeVersion reads KUBE_VERSION from the stack's build.sh.
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
