// Package trigger registers the trigger plugin, whose commands pkg/dispatch
// and triggers/ carry out (they start jobs): here it gets its help text
// and is enabled or not like every plugin.
package trigger

import (
	"github.com/fresnel-ci/fresnel/pkg/plugins"
)

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "trigger",
		Description: "Starts jobs for pull requests, pushes and /test comments.",
		Config:      "triggers",
		Commands: []plugins.Command{
			{Name: "test", Args: `\S.*`, Who: "collaborators and org members",
				Help: "Runs the jobs named, or with /test all the jobs that would run for a new push.", Examples: []string{"/test all", "/test pull-widgets-unit"}},
			{Name: "retest", Who: "collaborators and org members",
				Help: "Runs again the jobs that failed.", Examples: []string{"/retest"}},
			{Name: "retest-required", Who: "collaborators and org members",
				Help: "Runs again the required jobs that failed.", Examples: []string{"/retest-required"}},
			{Name: "ok-to-test", Who: "collaborators and org members",
				Help: "Lets the jobs of an untrusted author's pull request run.", Examples: []string{"/ok-to-test"}},
		},
	})
}
