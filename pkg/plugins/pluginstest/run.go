package pluginstest

import (
	"context"
	"io"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Enable returns a plugins.yaml enabling names for Repo's org; sections
// may be set on it afterwards.
func Enable(names ...string) *triggers.PluginsFile {
	return &triggers.PluginsFile{Plugins: map[string]triggers.OrgPlugins{Repo.Owner: {Plugins: names}}}
}

// Run runs the plugins file enables for ev against scm, as dispatch does.
func Run(scm any, ev event.Event, file *triggers.PluginsFile, runs plugins.RunCanceller) []plugins.Result {
	quiet := logrus.New()
	quiet.Out = io.Discard
	r := &plugins.Runner{Config: func() *triggers.PluginsFile { return file }, Runs: runs, Log: quiet}
	return r.Handle(context.Background(), scm, ev)
}

// Outcomes lists each result as "result" or "error: message", for
// comparing in tests.
func Outcomes(results []plugins.Result) []string {
	var out []string
	for _, r := range results {
		if r.Error != "" {
			out = append(out, "error: "+r.Error)
			continue
		}
		out = append(out, r.Result)
	}
	return out
}
