package app

import (
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
)

// slimRun is the controller cache's transform of a PipelineRun: the cache
// holds every managed run, finished ones too until garbage collection
// deletes them, so it keeps only what the controller's loops read from
// it: metadata (managed fields dropped), spec.status, spec.pipelineRef,
// spec.timeouts, the JOB_NAME parameter, and the status's conditions,
// times and child references. The pipeline's spec (in spec and again in
// status), the other parameters, workspaces, task run specs, results and
// provenance are dropped. Nothing writes a cached run back whole: the
// loops patch annotations and spec.status only.
func slimRun(obj any) (any, error) {
	pr, ok := obj.(*pipelinev1.PipelineRun)
	if !ok {
		return obj, nil
	}
	pr.ManagedFields = nil
	pr.Spec.PipelineSpec = nil
	pr.Spec.Params = jobNameOnly(pr.Spec.Params)
	pr.Spec.Workspaces = nil
	pr.Spec.TaskRunSpecs = nil
	pr.Spec.TaskRunTemplate = pipelinev1.PipelineTaskRunTemplate{}
	pr.Status.PipelineSpec = nil
	pr.Status.Results = nil
	pr.Status.Provenance = nil
	pr.Status.SkippedTasks = nil
	pr.Status.SpanContext = nil
	return pr, nil
}

// jobNameOnly keeps the JOB_NAME parameter, the job's full name.
func jobNameOnly(params pipelinev1.Params) pipelinev1.Params {
	for _, p := range params {
		if p.Name == "JOB_NAME" {
			return pipelinev1.Params{p}
		}
	}
	return nil
}
