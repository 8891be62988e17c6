package settings

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGitHubAppSettings(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	writeFile(t, dir, "hmac", "s3cret\n")
	writeFile(t, dir, "app.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n")
	s, err := Load(writeFile(t, dir, "fresnel.yaml", `
prow: {config: c.yaml}
providers:
- kind: github
  name: app
  url: https://github.example.com/api/v3
  secret: {file: hmac}
  app: {id: 424242, privateKey: {file: app.pem}}
`))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := s.Providers[0].App.PrivateKey.File, filepath.Join(dir, "app.pem"); got != want {
		t.Errorf("privateKey.file = %q, want %q (relative to fresnel.yaml)", got, want)
	}
	cfgs, err := s.ProviderConfigs()
	if err != nil {
		t.Fatalf("ProviderConfigs: %v", err)
	}
	if cfgs[0].AppID != 424242 || cfgs[0].Token != "" {
		t.Errorf("AppID %d, Token %q; want the App's id and no token", cfgs[0].AppID, cfgs[0].Token)
	}
	if diff := cmp.Diff("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", string(cfgs[0].AppKey)); diff != "" {
		t.Errorf("AppKey (-want +got):\n%s", diff)
	}
}

func TestGitHubAppSettingsErrors(t *testing.T) {
	const head = "prow: {config: c.yaml}\nproviders:\n- {kind: %s, name: a, insecure: true, app: %s}\n"
	tests := []struct {
		name, kind, app, wantErr string
	}{
		{name: "no id", kind: "github", app: "{privateKey: {env: KEY}}", wantErr: "app.id"},
		{name: "no private key", kind: "github", app: "{id: 7}", wantErr: "app.privateKey"},
		{name: "a key written in the file", kind: "github", app: "{id: 7, privateKey: 'BEGIN'}", wantErr: "providers"},
		{name: "not a github instance", kind: "gitlab", app: "{id: 7, privateKey: {env: KEY}}", wantErr: "only a github instance"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			text := strings.Replace(strings.Replace(head, "%s", tc.kind, 1), "%s", tc.app, 1)
			_, err := Load(writeFile(t, t.TempDir(), "fresnel.yaml", text))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestGitHubAppKeyUnreadable(t *testing.T) {
	s := &Settings{Providers: []Provider{{Kind: "github", Name: "a", Insecure: true,
		App: &GitHubApp{ID: 7, PrivateKey: &Secret{File: filepath.Join(t.TempDir(), "missing.pem")}}}}}
	if _, err := s.ProviderConfigs(); err == nil || !strings.Contains(err.Error(), "github/a app.privateKey") {
		t.Fatalf("ProviderConfigs() error = %v, want one naming app.privateKey", err)
	}
}
