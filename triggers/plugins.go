package triggers

import (
	"fmt"
	"os"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"
)

// Plugins is what selection reads of Prow's plugins.yaml: the trigger
// plugin's settings per org or repo. The other sections belong to other
// plugins and are not read here.
type Plugins struct {
	Triggers []TriggerSettings `json:"triggers,omitempty"`
}

// ReadPlugins reads the trigger settings of a plugins.yaml.
func ReadPlugins(path string) (*Plugins, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("triggers: plugins: %w", err)
	}
	var p Plugins
	if err := sigsyaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("triggers: plugins %s: %w", path, err)
	}
	return &p, nil
}

// TriggerFor returns the trigger settings of repo: those of the entry
// naming the repo, else of the entry naming its org (for a nested GitLab
// group, the nearest enclosing group), else none.
func (p *Plugins) TriggerFor(repo string) TriggerSettings {
	if p == nil {
		return TriggerSettings{}
	}
	for scope := repo; scope != ""; scope = parent(scope) {
		for _, t := range p.Triggers {
			for _, r := range t.Repos {
				if r == scope {
					return t
				}
			}
		}
	}
	return TriggerSettings{}
}

func parent(scope string) string {
	i := strings.LastIndex(scope, "/")
	if i < 0 {
		return ""
	}
	return scope[:i]
}
