package all_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/all"
)

// Every registered plugin has its folder and a README that says how to
// use it; every command has help text and an example.
func TestRegisteredPluginsAreDocumented(t *testing.T) {
	names := plugins.Names()
	if len(names) < 10 {
		t.Fatalf("registered plugins = %v, want at least the ten built-in ones", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			readme, err := os.ReadFile(filepath.Join("..", name, "README.md"))
			if err != nil {
				t.Fatalf("plugin %s has no README: %v", name, err)
			}
			if !strings.Contains(strings.ToLower(string(readme)), "plugins.yaml") {
				t.Errorf("%s/README.md does not say how plugins.yaml enables or configures it", name)
			}
			p, _ := plugins.Get(name)
			for _, c := range p.Commands {
				if c.Help == "" || len(c.Examples) == 0 || c.Who == "" {
					t.Errorf("/%s lacks help, examples or who may use it", c.Name)
				}
			}
		})
	}
}
