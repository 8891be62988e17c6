package settings

import (
	"fmt"
	"path/filepath"
)

// ExternalPlugins configures how deliveries are forwarded to the
// external_plugins of plugins.yaml: the keys they are signed with, and the
// pool that sends them.
type ExternalPlugins struct {
	// Secret signs deliveries to every plugin without a secret of its own
	// (X-Fresnel-Signature-256). Without any, deliveries go unsigned.
	Secret *Secret `json:"secret,omitempty"`
	// Secrets are per-plugin keys, by the plugin's name in plugins.yaml.
	Secrets map[string]*Secret `json:"secrets,omitempty"`
	// Workers is how many calls run at once (default 4).
	Workers int `json:"workers,omitempty"`
	// QueueSize is how many calls may wait (default 256); past it a
	// delivery is dropped and counted.
	QueueSize int `json:"queueSize,omitempty"`
	// Timeout bounds one call (default 10s).
	Timeout Duration `json:"timeout,omitempty"`
	// Attempts is how often a call failing with a 5xx or a network error
	// is made (default 3).
	Attempts int `json:"attempts,omitempty"`
}

// ReadSecrets reads the signing keys: the default one, and one per plugin.
func (e ExternalPlugins) ReadSecrets() (def []byte, byPlugin map[string][]byte, err error) {
	s, err := e.Secret.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("settings: externalPlugins.secret: %w", err)
	}
	byPlugin = make(map[string][]byte, len(e.Secrets))
	for name, sec := range e.Secrets {
		v, err := sec.Read()
		if err != nil {
			return nil, nil, fmt.Errorf("settings: externalPlugins.secrets[%s]: %w", name, err)
		}
		byPlugin[name] = []byte(v)
	}
	return []byte(s), byPlugin, nil
}

// secretFiles are the external plugins' secrets, for resolving relative
// file paths.
func (e ExternalPlugins) secretFiles() []*Secret {
	out := []*Secret{e.Secret}
	for _, s := range e.Secrets {
		out = append(out, s)
	}
	return out
}

func resolveSecretFiles(dir string, secrets []*Secret) {
	for _, sec := range secrets {
		if sec != nil && sec.File != "" && !filepath.IsAbs(sec.File) {
			sec.File = filepath.Join(dir, sec.File)
		}
	}
}
