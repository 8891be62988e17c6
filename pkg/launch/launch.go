package launch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// RunCreator creates PipelineRuns; the typed Tekton v1 client satisfies it
// through Tekton.
type RunCreator interface {
	Create(ctx context.Context, pr *pipelinev1.PipelineRun, opts metav1.CreateOptions) (*pipelinev1.PipelineRun, error)
}

// Run is the outcome of launching one job.
type Run struct {
	Name    string `json:"name"`
	Job     string `json:"job"`
	Context string `json:"context,omitempty"`
	// Created is false when the run existed already (a redelivery).
	Created bool `json:"created"`
}

// Launcher creates the PipelineRuns of selected jobs, and cancels those of
// a pull request that was closed.
type Launcher struct {
	Runs func(namespace string) RunCreator
	// Cancels lists and stops runs; nil cancels nothing.
	Cancels   func(namespace string) RunCanceller
	Namespace string
	// CloneImage runs the clone step of decorated pod-spec jobs; see
	// Options.
	CloneImage string
}

// Launch creates one PipelineRun per job, concurrently, and returns only
// once every one exists. A run that exists already counts as launched.
func (l *Launcher) Launch(ctx context.Context, ev event.Event, jobs []*triggers.Job) ([]Run, error) {
	runs := make([]Run, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = l.launchOne(ctx, ev, job)
		}()
	}
	wg.Wait()
	return runs, errors.Join(errs...)
}

// Build returns the PipelineRun Launch would create for job and ev.
func (l *Launcher) Build(job *triggers.Job, ev event.Event) (*pipelinev1.PipelineRun, error) {
	return Build(job, ev, Options{Namespace: l.Namespace, CloneImage: l.CloneImage})
}

func (l *Launcher) launchOne(ctx context.Context, ev event.Event, job *triggers.Job) (Run, error) {
	ns := l.Namespace
	pr, err := l.Build(job, ev)
	if err != nil {
		return Run{Job: job.Name}, err
	}
	run := Run{Name: pr.Name, Job: job.Name, Context: job.Context}
	_, err = l.Runs(ns).Create(ctx, pr, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		return run, nil
	case err != nil:
		return run, fmt.Errorf("launch: create PipelineRun %s/%s: %w", ns, pr.Name, err)
	}
	run.Created = true
	return run, nil
}
