// Package harness runs fresnel against the real local stack for the
// end-to-end tests, the demo and the load benchmark: it brings the stack
// up, builds and starts the fresnel binary, and stands in for SCM APIs.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	tekton "github.com/tektoncd/pipeline/pkg/client/clientset/versioned"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Stack is a running local stack.
type Stack struct {
	// Bin holds the stack's binaries: kubectl, helm, ...
	Bin string
	// Dir is the stack's run dir: pids, logs, certificates.
	Dir        string
	Kubeconfig string
	Rest       *rest.Config
	Kube       kubernetes.Interface
	Tekton     tekton.Interface
}

// RepoRoot is the project's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func stackScript() string { return filepath.Join(RepoRoot(), "test", "stack", "stack.sh") }

// StackRunning reports whether a healthy local stack is up already.
func StackRunning(ctx context.Context) bool {
	return exec.CommandContext(ctx, stackScript(), "status").Run() == nil
}

// DownStack stops the local stack.
func DownStack(ctx context.Context) error {
	down := exec.CommandContext(ctx, stackScript(), "down")
	down.Stdout, down.Stderr = os.Stderr, os.Stderr
	return down.Run()
}

// UpStack starts the local stack (building its binaries on first use) and
// connects to it.
func UpStack(ctx context.Context) (*Stack, error) {
	script := stackScript()
	up := exec.CommandContext(ctx, script, "up")
	up.Stdout, up.Stderr = os.Stderr, os.Stderr
	if err := up.Run(); err != nil {
		return nil, fmt.Errorf("harness: %s up: %w", script, err)
	}
	out, err := exec.CommandContext(ctx, script, "env").Output()
	if err != nil {
		return nil, fmt.Errorf("harness: %s env: %w", script, err)
	}
	env := parseExports(out)
	kubeconfig := env["KUBECONFIG"]
	if kubeconfig == "" {
		return nil, fmt.Errorf("harness: %s env printed no KUBECONFIG", script)
	}
	s, err := Connect(kubeconfig)
	if err != nil {
		return nil, err
	}
	s.Bin, s.Dir = env["FRESNEL_STACK_BIN"], env["FRESNEL_STACK_DIR"]
	return s, nil
}

// Connect builds clients for the cluster in kubeconfig.
func Connect(kubeconfig string) (*Stack, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 200, 400
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	tc, err := tekton.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Stack{Kubeconfig: kubeconfig, Rest: cfg, Kube: kube, Tekton: tc}, nil
}

func parseExports(out []byte) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = strings.Trim(v, `"'`)
		}
	}
	return env
}

// Namespace creates a namespace with the default ServiceAccount Tekton
// needs (nothing else makes one on this stack).
func (s *Stack) Namespace(ctx context.Context, name string) error {
	_, err := s.Kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: name}}
	_, err = s.Kube.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// BuildFresnel builds the fresnel binary into dir and returns its path.
func BuildFresnel(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "fresnel")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/fresnel")
	cmd.Dir = RepoRoot()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("harness: build fresnel: %w", err)
	}
	return bin, nil
}

// WaitFor polls cond every interval until it returns true, an error, or
// the timeout passes.
func WaitFor(timeout, interval time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("harness: condition not met within %s", timeout)
		}
		time.Sleep(interval)
	}
}

// StopAPIServer stops the stack's kube-apiserver (SIGTERM, SIGKILL after
// 20s) for an outage test and returns the function that starts it again
// with the same command line, its pid where stack.sh looks, and waits for
// /readyz.
func (s *Stack) StopAPIServer() (start func(context.Context) error, err error) {
	pidFile := filepath.Join(s.Dir, "pids", "kube-apiserver.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return nil, fmt.Errorf("harness: stop kube-apiserver: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("harness: stop kube-apiserver: pid file %s: %w", pidFile, err)
	}
	argv, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil, fmt.Errorf("harness: stop kube-apiserver: %w", err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return nil, fmt.Errorf("harness: stop kube-apiserver: %w", err)
	}
	if WaitFor(20*time.Second, 50*time.Millisecond, func() (bool, error) { return !processRuns(pid), nil }) != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	args := strings.Split(strings.TrimRight(string(argv), "\x00"), "\x00")
	return func(ctx context.Context) error { return s.startAPIServer(ctx, pidFile, args) }, nil
}

// processRuns reports whether pid is a live process (not gone, not a zombie).
func processRuns(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// startAPIServer runs args detached, logging where stack.sh's run did,
// records its pid and waits until the apiserver is ready.
func (s *Stack) startAPIServer(ctx context.Context, pidFile string, args []string) error {
	logFile, err := os.OpenFile(filepath.Join(s.Dir, "logs", "kube-apiserver.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("harness: start kube-apiserver: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("harness: start kube-apiserver: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("harness: start kube-apiserver: %w", err)
	}
	ready := func() (bool, error) {
		_, err := s.Kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return err == nil, ctx.Err()
	}
	if err := WaitFor(90*time.Second, 200*time.Millisecond, ready); err != nil {
		return fmt.Errorf("harness: start kube-apiserver: not ready: %w", err)
	}
	return nil
}
