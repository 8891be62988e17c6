package launch

import (
	"cmp"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// runSpec is the job's PipelineRun spec for ev, the job's own left
// unchanged. A pod-spec job's steps get Prow's job environment and, when
// the job is decorated, the checkout of its refs.
func runSpec(job *triggers.Job, ev event.Event, env map[string]string, opts Options) (*pipelinev1.PipelineRunSpec, error) {
	if job.Spec == nil {
		return job.RunSpec().DeepCopy(), nil
	}
	return job.PodSpecRun(triggers.PodRun{
		Env:        stepEnv(job.Type, env),
		Refs:       cloneRefs(job, ev, env["PULL_BASE_SHA"]),
		CloneImage: cmp.Or(opts.CloneImage, DefaultCloneImage),
	})
}

// Prow's job environment, by job type: every job gets baseEnv, jobs on a
// repository refsEnv too, presubmits pullEnv as well.
var (
	baseEnv = []string{"CI", "JOB_NAME", "JOB_TYPE", "JOB_SPEC", "BUILD_ID", "BUILD_NUMBER", "PROW_JOB_ID"}
	refsEnv = []string{"REPO_OWNER", "REPO_NAME", "SRC_HOST", "SRC_BASE", "PULL_BASE_REF", "PULL_BASE_SHA", "PULL_REFS"}
	pullEnv = []string{"PULL_NUMBER", "PULL_PULL_SHA", "PULL_HEAD_REF", "PULL_TITLE"}
)

// stepEnv is the environment Prow gives the containers of a job of type t.
func stepEnv(t triggers.JobType, env map[string]string) []corev1.EnvVar {
	names := baseEnv
	switch t {
	case triggers.Postsubmit:
		names = append(append([]string{}, baseEnv...), refsEnv...)
	case triggers.Presubmit:
		names = append(append(append([]string{}, baseEnv...), refsEnv...), pullEnv...)
	}
	vars := make([]corev1.EnvVar, 0, len(names))
	for _, n := range names {
		if v, ok := env[n]; ok {
			vars = append(vars, corev1.EnvVar{Name: n, Value: v})
		}
	}
	return vars
}

// cloneRefs are the repositories a decorated job clones: the event's,
// from its clone URL unless the job sets clone_uri, then extra_refs.
func cloneRefs(job *triggers.Job, ev event.Event, baseSHA string) []triggers.Refs {
	var refs []triggers.Refs
	if main := mainRefs(job, ev, baseSHA); main != nil {
		main.CloneURI = cmp.Or(main.CloneURI, ev.Repo.CloneURL)
		refs = append(refs, *main)
	}
	return append(refs, job.ExtraRefs...)
}
