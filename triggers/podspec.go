package triggers

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podSpecRun turns a Prow pod spec (agent: kubernetes) into a PipelineRun
// spec with one task whose steps are the pod's containers, run in order.
// Volumes become the task's volumes; the service account and scheduling
// constraints are kept. Init containers are not supported.
func podSpecRun(spec *corev1.PodSpec) (*pipelinev1.PipelineRunSpec, error) {
	if len(spec.Containers) == 0 {
		return nil, errors.New("spec: a pod spec needs at least one container")
	}
	steps := make([]pipelinev1.Step, 0, len(spec.Containers))
	for i, c := range spec.Containers {
		if len(c.Command) == 0 && len(c.Args) == 0 {
			return nil, errors.New("spec: every container needs a command or args; Tekton cannot read an image's entrypoint without a registry")
		}
		steps = append(steps, containerStep(i, c))
	}
	task := pipelinev1.PipelineTask{
		Name: "run",
		TaskSpec: &pipelinev1.EmbeddedTask{TaskSpec: pipelinev1.TaskSpec{
			Steps:   steps,
			Volumes: spec.Volumes,
		}},
	}
	run := &pipelinev1.PipelineRunSpec{
		PipelineSpec: &pipelinev1.PipelineSpec{Tasks: []pipelinev1.PipelineTask{task}},
	}
	run.TaskRunTemplate.ServiceAccountName = spec.ServiceAccountName
	if len(spec.NodeSelector) > 0 || len(spec.Tolerations) > 0 || spec.Affinity != nil {
		run.TaskRunTemplate.PodTemplate = &pod.PodTemplate{
			NodeSelector: spec.NodeSelector, Tolerations: spec.Tolerations, Affinity: spec.Affinity,
		}
	}
	return run, nil
}

func containerStep(i int, c corev1.Container) pipelinev1.Step {
	name := c.Name
	if name == "" {
		name = fmt.Sprintf("step-%d", i)
	}
	return pipelinev1.Step{
		Name:             name,
		Image:            c.Image,
		Command:          c.Command,
		Args:             c.Args,
		WorkingDir:       c.WorkingDir,
		Env:              c.Env,
		EnvFrom:          c.EnvFrom,
		ComputeResources: c.Resources,
		VolumeMounts:     c.VolumeMounts,
		SecurityContext:  c.SecurityContext,
		ImagePullPolicy:  c.ImagePullPolicy,
	}
}

// Where a decorated job's shared volumes are mounted in every step.
const (
	codeVolume      = "fresnel-code"
	artifactsVolume = "fresnel-artifacts"
	artifactsDir    = "/logs/artifacts"
	cloneStepName   = "clonerefs"
)

// PodRun is what a pod-spec job's run takes from the event it runs for.
type PodRun struct {
	// Env is the job environment, set on every step; it replaces a
	// container's own variable of the same name, as in Prow, where the
	// job's variables come after the container's and the last one counts.
	Env []corev1.EnvVar
	// Refs are the repositories a decorated job clones, in order: the
	// event's (see MainRefs) and then the job's extra_refs.
	Refs []Refs
	// CloneImage runs the clone step; it needs sh and git.
	CloneImage string
}

// MainRefs returns r, the event's repository and commits, with the job's
// path_alias, clone_uri, clone_depth, skip_submodules and skip_fetch_head.
func (u *UtilityConfig) MainRefs(r Refs) Refs {
	r.PathAlias = u.PathAlias
	if u.CloneURI != "" {
		r.CloneURI = u.CloneURI
	}
	r.CloneDepth, r.SkipSubmodules, r.SkipFetchHead = u.CloneDepth, u.SkipSubmodules, u.SkipFetchHead
	return r
}

// PodSpecRun returns the PipelineRun spec of a pod-spec job for one
// event: the job's run with in.Env on every step and, when the job is
// decorated, Prow's decoration: ARTIFACTS and GOPATH, a first step that
// clones in.Refs into a volume every step mounts at CodeRoot, the working
// directory of steps that set none, and decoration_config's timeouts.
func (j *Job) PodSpecRun(in PodRun) (*pipelinev1.PipelineRunSpec, error) {
	if j.Spec == nil || j.run == nil {
		return nil, fmt.Errorf("triggers: %s: not a pod-spec job", j.Name)
	}
	run := j.run.DeepCopy()
	task := &run.PipelineSpec.Tasks[0].TaskSpec.TaskSpec
	env := in.Env
	if j.Decorated() {
		env = append(slices.Clone(env),
			corev1.EnvVar{Name: "ARTIFACTS", Value: artifactsDir}, corev1.EnvVar{Name: "GOPATH", Value: CodeRoot})
	}
	for i := range task.Steps {
		task.Steps[i].Env = withEnv(task.Steps[i].Env, env)
	}
	if !j.Decorated() {
		return run, nil
	}
	if err := j.decorate(task, in); err != nil {
		return nil, err
	}
	setTimeouts(run, j.UtilityConfig)
	return run, nil
}

// withEnv appends add to own, dropping own's variables that add sets:
// the job environment wins, as it does in Prow.
func withEnv(own, add []corev1.EnvVar) []corev1.EnvVar {
	set := make(map[string]bool, len(add))
	for _, e := range add {
		set[e.Name] = true
	}
	kept := slices.DeleteFunc(slices.Clone(own), func(e corev1.EnvVar) bool { return set[e.Name] })
	return append(kept, add...)
}

// decorate adds the artifacts volume and, unless the job skips cloning or
// has nothing to clone, the clone step and the code volume.
func (j *Job) decorate(task *pipelinev1.TaskSpec, in PodRun) error {
	emptyDir := corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	task.Volumes = append(task.Volumes, corev1.Volume{Name: artifactsVolume, VolumeSource: emptyDir})
	mountAll(task.Steps, corev1.VolumeMount{Name: artifactsVolume, MountPath: artifactsDir})
	if j.SkipsCloning() || len(in.Refs) == 0 {
		return nil
	}
	if in.CloneImage == "" {
		return fmt.Errorf("triggers: %s: decorate: no image for the clone step", j.Name)
	}
	for _, s := range task.Steps {
		if s.Name == cloneStepName {
			return fmt.Errorf("triggers: %s: decorate: the container name %q is taken by the clone step", j.Name, cloneStepName)
		}
	}
	workDir := WorkDir(CodeRoot, in.Refs)
	for i := range task.Steps {
		if task.Steps[i].WorkingDir == "" {
			task.Steps[i].WorkingDir = workDir
		}
	}
	clone := pipelinev1.Step{Name: cloneStepName, Image: in.CloneImage, Script: CloneScript(CodeRoot, in.Refs)}
	task.Steps = append([]pipelinev1.Step{clone}, task.Steps...)
	task.Volumes = append(task.Volumes, corev1.Volume{Name: codeVolume, VolumeSource: emptyDir})
	mountAll(task.Steps, corev1.VolumeMount{Name: codeVolume, MountPath: CodeRoot})
	return nil
}

func mountAll(steps []pipelinev1.Step, m corev1.VolumeMount) {
	for i := range steps {
		steps[i].VolumeMounts = append(steps[i].VolumeMounts, m)
	}
}

// setTimeouts gives the job's steps decoration_config's timeout and the
// run that and grace_period more, as Prow's entrypoint interrupts a step
// at the timeout and kills it a grace period later.
func setTimeouts(run *pipelinev1.PipelineRunSpec, u UtilityConfig) {
	timeout, grace := u.Timeouts()
	if timeout == 0 {
		return
	}
	run.Timeouts = &pipelinev1.TimeoutFields{
		Pipeline: &metav1.Duration{Duration: timeout + grace},
		Tasks:    &metav1.Duration{Duration: timeout},
	}
}
