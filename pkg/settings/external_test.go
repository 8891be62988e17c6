package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestExternalPluginsSecrets(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "secrets/plugins", "shared-key\n")
	t.Setenv("NEEDS_REBASE_KEY", "rebase-key")
	path := writeFile(t, dir, "fresnel.yaml", minimal+`
externalPlugins:
  secret: {file: secrets/plugins}
  secrets:
    needs-rebase: {env: NEEDS_REBASE_KEY}
  workers: 8
  timeout: 5s
`)
	s, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := s.ExternalPlugins.Secret.File; got != filepath.Join(dir, "secrets", "plugins") {
		t.Errorf("secret file %q is not resolved next to fresnel.yaml", got)
	}
	if s.ExternalPlugins.Workers != 8 || s.ExternalPlugins.Timeout.Duration != 5*time.Second {
		t.Errorf("workers %d, timeout %v; want 8 and 5s", s.ExternalPlugins.Workers, s.ExternalPlugins.Timeout)
	}
	def, byPlugin, err := s.ExternalPlugins.ReadSecrets()
	if err != nil {
		t.Fatalf("ReadSecrets: %v", err)
	}
	if string(def) != "shared-key" {
		t.Errorf("default secret %q, want shared-key", def)
	}
	if diff := cmp.Diff(map[string][]byte{"needs-rebase": []byte("rebase-key")}, byPlugin); diff != "" {
		t.Errorf("per-plugin secrets (-want +got):\n%s", diff)
	}
}

func TestExternalPluginsSecretErrors(t *testing.T) {
	t.Setenv("EMPTY_KEY", "")
	tests := []struct {
		name string
		e    ExternalPlugins
		want string
	}{
		{name: "missing file", e: ExternalPlugins{Secret: &Secret{File: "/nonexistent/key"}}, want: "externalPlugins.secret"},
		{name: "empty env", e: ExternalPlugins{Secrets: map[string]*Secret{"cat": {Env: "EMPTY_KEY"}}}, want: "externalPlugins.secrets[cat]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.e.ReadSecrets()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadSecrets = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
