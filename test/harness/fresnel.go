package harness

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// Fresnel is a running fresnel process.
type Fresnel struct {
	URL     string
	Dir     string
	LogPath string
	cmd     *exec.Cmd
	done    chan error

	// MetricsURL is where the controller of a controller or all process
	// serves /metrics, /healthz and /readyz (--metrics-addr).
	MetricsURL string
}

// FresnelOptions describe one fresnel process.
type FresnelOptions struct {
	Binary     string
	Role       string // all, webhook or controller; default all
	Kubeconfig string
	// Settings is fresnel.yaml without server.address (the harness sets it).
	Settings string
	// Files are written next to fresnel.yaml: config.yaml, secrets, ...
	Files map[string]string
	Env   []string
	// Args are more flags for the role, e.g. --leader-elect.
	Args []string
}

// StartFresnel writes the files into a fresh directory, starts fresnel on
// a free loopback port and waits until /readyz answers.
func StartFresnel(ctx context.Context, dir string, opts FresnelOptions) (*Fresnel, error) {
	for name, content := range opts.Files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return nil, err
		}
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "fresnel.yaml"), []byte(opts.Settings), 0o600); err != nil {
		return nil, err
	}
	role := opts.Role
	if role == "" {
		role = "all"
	}
	f := &Fresnel{URL: "http://127.0.0.1:" + strconv.Itoa(port), MetricsURL: "http://127.0.0.1:" + strconv.Itoa(metricsPort), Dir: dir, LogPath: filepath.Join(dir, "fresnel.log"), done: make(chan error, 1)}
	logFile, err := os.Create(f.LogPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{role, "--settings", filepath.Join(dir, "fresnel.yaml"), "--kubeconfig", opts.Kubeconfig}, opts.Args...)
	f.cmd = exec.Command(opts.Binary, args...)
	f.cmd.Env = append(append(os.Environ(), "FRESNEL_ADDRESS=127.0.0.1:"+strconv.Itoa(port),
		"FRESNEL_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(metricsPort)), opts.Env...)
	f.cmd.Stdout, f.cmd.Stderr = logFile, logFile
	if err := f.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { f.done <- f.cmd.Wait(); logFile.Close() }()
	readyURL := f.URL
	if role == "controller" {
		readyURL = f.MetricsURL // the controller serves no webhook port
	}
	if err := f.waitReady(ctx, readyURL); err != nil {
		f.Stop()
		return nil, fmt.Errorf("%w\n%s", err, f.Logs())
	}
	return f, nil
}

func (f *Fresnel) waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-f.done:
			f.done <- err
			return fmt.Errorf("harness: fresnel exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("harness: fresnel not ready within 30s")
}

// Stop ends the process with SIGTERM, then SIGKILL after 10s.
func (f *Fresnel) Stop() {
	if f.cmd.Process == nil {
		return
	}
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-f.done:
		f.done <- err
	case <-time.After(10 * time.Second):
		_ = f.cmd.Process.Kill()
	}
}

// PID is the process id, for measuring its memory.
func (f *Fresnel) PID() int { return f.cmd.Process.Pid }

// Logs returns what the process logged so far.
func (f *Fresnel) Logs() string {
	b, _ := os.ReadFile(f.LogPath)
	return string(bytes.TrimSpace(b))
}

// Send posts a delivery to /hook/{provider}/{instance}.
func (f *Fresnel) Send(provider, instance string, header http.Header, body []byte) (*http.Response, []byte, error) {
	return f.SendPath(HookPath(provider, instance), header, body)
}

// HookPath is the path deliveries of an instance are posted to.
func HookPath(provider, instance string) string { return "/hook/" + provider + "/" + instance }

// SendPath posts a delivery to a path, which may carry a query
// (Gerrit's ?token=).
func (f *Fresnel) SendPath(path string, header http.Header, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, f.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return resp, buf.Bytes(), err
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// KubeconfigVia writes a copy of kubeconfig whose clusters point at addr
// (a proxy in front of the apiserver) and returns its path.
func KubeconfigVia(kubeconfig, addr, dir string) (string, error) {
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		return "", err
	}
	for _, c := range cfg.Clusters {
		c.Server = "https://" + addr
	}
	path := filepath.Join(dir, "kubeconfig-proxy")
	return path, clientcmd.WriteToFile(*cfg, path)
}
