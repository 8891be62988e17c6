package triggers

import (
	"errors"
	"fmt"

	"github.com/tektoncd/pipeline/pkg/apis/pipeline/pod"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"
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
