package app

import (
	"time"

	"github.com/fresnel-ci/fresnel/pkg/catchup"
	"github.com/fresnel-ci/fresnel/pkg/server"
)

// catchupMargin widens an outage back in time when failed deliveries are
// looked up, for clocks that differ between fresnel and the SCM.
const catchupMargin = time.Minute

// catchup returns the webhook's handler, which remembers deliveries that
// failed because the cluster was unreachable, and the loop that recovers
// them; no loop when settings turn catch-up off.
func (a *App) catchup() (server.Handler, *catchup.Loop) {
	d := a.Dispatcher()
	c := a.Settings.Catchup
	if c.Disabled {
		return d, nil
	}
	outage := &catchup.Outage{MaxRepos: c.MaxRepos}
	loop := &catchup.Loop{
		Outage:    outage,
		Instances: a.Instances,
		Runs:      catchup.ClusterRuns{Runs: a.Tekton.TektonV1().PipelineRuns(a.Settings.Namespace)},
		Handler:   d,
		HookPath:  func(kind, name string) string { return "/hook/" + kind + "/" + name },
		Interval:  c.Interval.Duration,
		Settle:    c.Settle.Duration,
		Margin:    catchupMargin,
		Log:       a.Log,
	}
	return &catchup.Recording{Next: d, Outage: outage}, loop
}
