package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/providers"
)

// writeFile writes name under dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clearEnv makes the overriding variables unset for one test, whatever the
// environment the tests run in.
func clearEnv(t *testing.T) {
	t.Setenv("FRESNEL_NAMESPACE", "")
	t.Setenv("FRESNEL_ADDRESS", "")
}

const minimal = `
prow:
  config: prow/config.yaml
  jobConfig: prow/jobs
  plugins: /etc/prow/plugins.yaml
providers:
- kind: github
  name: public
  secret: {file: secrets/hmac}
  token: {env: GH_TOKEN}
`

func TestLoadDefaultsAndPaths(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	s, err := Load(writeFile(t, dir, "fresnel.yaml", minimal))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Settings{
		Namespace: DefaultNamespace,
		Prow: ProwFiles{
			Config:    filepath.Join(dir, "prow", "config.yaml"),
			JobConfig: filepath.Join(dir, "prow", "jobs"),
			Plugins:   "/etc/prow/plugins.yaml",
		},
		Providers: []Provider{{
			Kind: "github", Name: "public",
			Secret: &Secret{File: filepath.Join(dir, "secrets", "hmac")},
			Token:  &Secret{Env: "GH_TOKEN"},
		}},
		Server: Server{
			Address:           ":8090",
			MaxBodyBytes:      25 << 20,
			ReadHeaderTimeout: Duration{10 * time.Second},
			ReadTimeout:       Duration{30 * time.Second},
			WriteTimeout:      Duration{60 * time.Second},
			IdleTimeout:       Duration{120 * time.Second},
		},
		Kube: Kube{QPS: 1000, Burst: 2000},
		GC:   GC{MaxAge: Duration{7 * 24 * time.Hour}, Interval: Duration{10 * time.Minute}, DeletesPerSecond: 5},
		Catchup: Catchup{Interval: Duration{DefaultCatchupInterval}, Settle: Duration{DefaultCatchupSettle},
			MaxRepos: DefaultCatchupMaxRepos},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
}

func TestLoadKeepsSetValues(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	s, err := Load(writeFile(t, dir, "fresnel.yaml", `
namespace: ci
prow: {config: /abs/config.yaml}
providers:
- {kind: gitlab, name: internal, insecure: true, url: "https://gitlab.example.com"}
server:
  address: 127.0.0.1:9000
  maxBodyBytes: 1024
  readHeaderTimeout: 1s
  readTimeout: 2s
  writeTimeout: 3m
  idleTimeout: 1h
kube: {qps: 50, burst: 100}
report: {targetURL: "https://dash/{{.Name}}"}
gc: {maxAge: 48h, keepPerJob: 20, interval: 1m, deletesPerSecond: 2.5}
catchup: {interval: 3s, settle: 4s, maxRepos: 7}
`))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &Settings{
		Namespace: "ci",
		Prow:      ProwFiles{Config: "/abs/config.yaml"},
		Providers: []Provider{{Kind: "gitlab", Name: "internal", Insecure: true, URL: "https://gitlab.example.com"}},
		Server: Server{
			Address:           "127.0.0.1:9000",
			MaxBodyBytes:      1024,
			ReadHeaderTimeout: Duration{time.Second},
			ReadTimeout:       Duration{2 * time.Second},
			WriteTimeout:      Duration{3 * time.Minute},
			IdleTimeout:       Duration{time.Hour},
		},
		Kube:   Kube{QPS: 50, Burst: 100},
		Report: Report{TargetURL: "https://dash/{{.Name}}"},
		GC:     GC{MaxAge: Duration{48 * time.Hour}, KeepPerJob: 20, Interval: Duration{time.Minute}, DeletesPerSecond: 2.5},
		Catchup: Catchup{Interval: Duration{3 * time.Second}, Settle: Duration{4 * time.Second},
			MaxRepos: 7},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		wantErr string
	}{
		{
			name:    "unknown top-level field",
			text:    minimal + "dashbord: x\n",
			wantErr: "dashbord",
		},
		{
			name:    "unknown nested field",
			text:    minimal + "server: {adress: ':1'}\n",
			wantErr: "adress",
		},
		{
			name:    "secret written in the file",
			text:    "prow: {config: c.yaml}\nproviders: [{kind: github, name: a, secret: hunter2}]\n",
			wantErr: "providers",
		},
		{
			name:    "missing secret without insecure",
			text:    "prow: {config: c.yaml}\nproviders: [{kind: github, name: a}]\n",
			wantErr: "no secret",
		},
		{
			name:    "insecure false is still refused",
			text:    "prow: {config: c.yaml}\nproviders: [{kind: github, name: a, insecure: false}]\n",
			wantErr: "no secret",
		},
		{
			name:    "no prow config",
			text:    "providers: [{kind: github, name: a, insecure: true}]\n",
			wantErr: "prow.config",
		},
		{
			name:    "no providers",
			text:    "prow: {config: c.yaml}\n",
			wantErr: "at least one provider",
		},
		{
			name:    "provider without a name",
			text:    "prow: {config: c.yaml}\nproviders: [{kind: github, insecure: true}]\n",
			wantErr: "kind and name are required",
		},
		{
			name:    "bad duration",
			text:    minimal + "server: {readTimeout: soon}\n",
			wantErr: `duration "soon"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			s, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load() error = %v, want one containing %q", err, tc.wantErr)
			}
			if s != nil {
				t.Errorf("Load() = %+v with an error, want nil", s)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); err == nil {
		t.Error("Load of a missing file: want an error")
	}
}

func TestLoadInsecureWithoutSecret(t *testing.T) {
	clearEnv(t)
	s, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", "prow: {config: c.yaml}\nproviders: [{kind: github, name: a, insecure: true}]\n"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(s.Providers) != 1 || !s.Providers[0].Insecure || s.Providers[0].Secret != nil {
		t.Errorf("Providers = %+v, want one insecure provider without a secret", s.Providers)
	}
}

func TestLoadEnvOverrides(t *testing.T) {
	text := "namespace: from-file\nserver: {address: ':1111'}\n" + minimal
	tests := []struct {
		name          string
		namespace     string
		address       string
		wantNamespace string
		wantAddress   string
	}{
		{name: "none", wantNamespace: "from-file", wantAddress: ":1111"},
		{name: "namespace", namespace: "from-env", wantNamespace: "from-env", wantAddress: ":1111"},
		{name: "address", address: ":2222", wantNamespace: "from-file", wantAddress: ":2222"},
		{name: "both", namespace: "ns", address: "0.0.0.0:3333", wantNamespace: "ns", wantAddress: "0.0.0.0:3333"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FRESNEL_NAMESPACE", tc.namespace)
			t.Setenv("FRESNEL_ADDRESS", tc.address)
			s, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", text))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.Namespace != tc.wantNamespace {
				t.Errorf("Namespace = %q, want %q", s.Namespace, tc.wantNamespace)
			}
			if s.Server.Address != tc.wantAddress {
				t.Errorf("Server.Address = %q, want %q", s.Server.Address, tc.wantAddress)
			}
		})
	}
}

func TestProviderConfigs(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	writeFile(t, dir, "hmac", "  s3cret\n")
	t.Setenv("TEST_FRESNEL_TOKEN", " api-token\n")
	path := writeFile(t, dir, "fresnel.yaml", `
prow: {config: c.yaml}
providers:
- kind: github
  name: public
  url: https://api.github.com
  secret: {file: hmac}
  token: {env: TEST_FRESNEL_TOKEN}
  username: bot
  options: {allowSHA1: "true"}
- {kind: gitlab, name: dev, insecure: true}
`)
	s, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got, err := s.ProviderConfigs()
	if err != nil {
		t.Fatalf("ProviderConfigs: %v", err)
	}
	want := []providers.Config{
		{
			Kind: "github", Name: "public", URL: "https://api.github.com",
			Secret: []byte("s3cret"), Token: "api-token", Username: "bot",
			Options: map[string]string{"allowSHA1": "true"},
		},
		{Kind: "gitlab", Name: "dev", Secret: []byte{}, Insecure: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ProviderConfigs (-want +got):\n%s", diff)
	}
}

func TestProviderConfigsErrors(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty", " \n\t\n")
	t.Setenv("TEST_FRESNEL_EMPTY", "  ")
	tests := []struct {
		name    string
		p       Provider
		wantErr string
	}{
		{name: "empty secret file", p: Provider{Kind: "github", Name: "a", Secret: &Secret{File: empty}}, wantErr: "is empty"},
		{name: "missing secret file", p: Provider{Kind: "github", Name: "a", Secret: &Secret{File: filepath.Join(dir, "nope")}}, wantErr: "github/a secret"},
		{name: "empty env", p: Provider{Kind: "github", Name: "a", Secret: &Secret{Env: "TEST_FRESNEL_EMPTY"}}, wantErr: "TEST_FRESNEL_EMPTY is empty"},
		{name: "unset env", p: Provider{Kind: "github", Name: "a", Secret: &Secret{Env: "TEST_FRESNEL_UNSET_VARIABLE"}}, wantErr: "is empty"},
		{name: "neither file nor env", p: Provider{Kind: "github", Name: "a", Secret: &Secret{}}, wantErr: "neither file nor env"},
		{name: "empty token", p: Provider{Kind: "github", Name: "a", Insecure: true, Token: &Secret{File: empty}}, wantErr: "github/a token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Settings{Providers: []Provider{tc.p}}
			cfgs, err := s.ProviderConfigs()
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ProviderConfigs() error = %v, want one containing %q", err, tc.wantErr)
			}
			if cfgs != nil {
				t.Errorf("ProviderConfigs() = %+v with an error, want nil", cfgs)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	var d Duration
	if err := d.UnmarshalJSON([]byte(`"90s"`)); err != nil {
		t.Fatal(err)
	}
	if d.Duration != 90*time.Second {
		t.Errorf("UnmarshalJSON(90s) = %v, want 1m30s", d.Duration)
	}
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `"1m30s"`; got != want {
		t.Errorf("MarshalJSON = %s, want %s", got, want)
	}
}
