package app

import (
	"github.com/fresnel-ci/fresnel/pkg/plugins/external"
	"github.com/fresnel-ci/fresnel/triggers"
)

// externalForwarder starts the pool that forwards verified deliveries to
// plugins.yaml's external_plugins (read from the file in force for each
// delivery), signed with the keys fresnel.yaml names.
func (a *App) externalForwarder() (*external.Forwarder, error) {
	s := a.Settings.ExternalPlugins
	def, byPlugin, err := s.ReadSecrets()
	if err != nil {
		return nil, err
	}
	return external.New(external.Options{
		Plugins: func() map[string][]triggers.ExternalPlugin {
			if cfg := a.Jobs(); cfg != nil && cfg.Plugins != nil {
				return cfg.Plugins.ExternalPlugins
			}
			return nil
		},
		Secret: func(plugin string) []byte {
			if key, ok := byPlugin[plugin]; ok {
				return key
			}
			return def
		},
		Workers: s.Workers, QueueSize: s.QueueSize, Timeout: s.Timeout.Duration, Attempts: s.Attempts,
		Log: a.Log,
	}), nil
}
