package cli

import (
	"cmp"
	"fmt"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/settings"
	"github.com/fresnel-ci/fresnel/triggers"
)

// showRunsOptions are the flags of explain --show-runs: where the runs
// would go and which delivery they would be for.
type showRunsOptions struct {
	show                bool
	settings, namespace string
	instance, delivery  string
}

// launcher is the service's launcher as fresnel.yaml (--settings) and
// --namespace set it up, without a cluster: it only builds runs. The
// instance is --instance, else the settings' first instance of kind.
func (o showRunsOptions) launcher(kind string) (l *launch.Launcher, instance string, err error) {
	l = &launch.Launcher{Namespace: settings.DefaultNamespace}
	if o.settings != "" {
		s, err := settings.Load(o.settings)
		if err != nil {
			return nil, "", err
		}
		l.Namespace, l.CloneImage = s.Namespace, s.Decoration.CloneImage
		instance = firstInstance(s, kind)
	}
	l.Namespace = cmp.Or(o.namespace, l.Namespace)
	return l, cmp.Or(o.instance, instance), nil
}

func firstInstance(s *settings.Settings, kind string) string {
	for _, p := range s.Providers {
		if p.Kind == kind {
			return p.Name
		}
	}
	return ""
}

// pipelineRuns builds, with the service's own code, the PipelineRun of
// each job the event runs; nil unless --show-runs.
func (o showRunsOptions) pipelineRuns(jobs []*triggers.Job, ev event.Event) ([]*pipelinev1.PipelineRun, error) {
	if !o.show {
		return nil, nil
	}
	l, instance, err := o.launcher(ev.Provider)
	if err != nil {
		return nil, err
	}
	// The service's route names the instance; the delivery header its id.
	ev.Instance, ev.Delivery = cmp.Or(instance, ev.Instance), cmp.Or(o.delivery, ev.Delivery)
	runs := make([]*pipelinev1.PipelineRun, 0, len(jobs))
	for _, j := range jobs {
		pr, err := l.Build(j, ev)
		if err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		runs = append(runs, pr)
	}
	return runs, nil
}
