package inrepo

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fresnel-ci/fresnel/triggers"
)

// Lighthouse's in-repo files: .lighthouse/triggers.yaml and
// .lighthouse/DIR/triggers.yaml for each directory not starting with a
// dot, as Lighthouse reads them.
const (
	lighthouseDir      = ".lighthouse"
	lighthouseTriggers = "triggers.yaml"
	triggerAPIVersion  = "config.lighthouse.jenkins-x.io/v1alpha1"
	triggerKind        = "TriggerConfig"
)

var (
	triggerFields = map[string]string{"apiVersion": "", "kind": "", "metadata": "", "spec": ""}
	specFields    = map[string]string{"presubmits": "", "postsubmits": ""}
	runFields     = map[string]string{"apiVersion": "", "kind": "", "metadata": "", "spec": "", "status": ""}
)

// parseLighthouse reads one triggers.yaml; each job's source file is read
// through files and becomes the job's run definition.
func parseLighthouse(ctx context.Context, files *reader, data []byte, file, repo string) (*triggers.Config, error) {
	root, err := parseYAML(data, file)
	if root == nil || err != nil {
		return nil, err
	}
	top, err := fields(root, file, "top level", triggerFields)
	if err != nil {
		return nil, err
	}
	if err := checkType(top, file, root, triggerAPIVersion, triggerKind); err != nil {
		return nil, err
	}
	var fs []field
	for _, f := range top {
		if f.key.Value != "spec" || f.value.Tag == "!!null" {
			fs = append(fs, f)
			continue
		}
		spec, err := fields(f.value, file, "spec", specFields)
		if err != nil {
			return nil, err
		}
		fs = append(fs, spec...)
	}
	sources := map[*yaml.Node]string{}
	if err := resolveSources(ctx, files, fs, file, sources); err != nil {
		return nil, err
	}
	return parseJobs(wrap(repo, fs), file, sources)
}

// checkType checks the apiVersion and kind of a document.
func checkType(fs []field, file string, root *yaml.Node, apiVersions, kind string) error {
	v, k := lookup(fs, "apiVersion"), lookup(fs, "kind")
	switch {
	case v == nil || k == nil:
		return problem(file, root.Line, "apiVersion and kind are required (%s, %s)", apiVersions, kind)
	case !contains(strings.Split(apiVersions, " or "), v.Value):
		return problem(file, v.Line, "apiVersion %q is not supported: want %s", v.Value, apiVersions)
	case k.Value != kind:
		return problem(file, k.Line, "kind %q is not supported: want %s", k.Value, kind)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveSources replaces each job's source field with the spec of the
// PipelineRun in the file it names, next to file, and records in sources
// which file each spec came from.
func resolveSources(ctx context.Context, files *reader, fs []field, file string, sources map[*yaml.Node]string) error {
	var errs []error
	for _, f := range fs {
		if f.value.Kind != yaml.SequenceNode || f.key.Value != "presubmits" && f.key.Value != "postsubmits" {
			continue
		}
		for _, job := range f.value.Content {
			err := resolveSource(ctx, files, job, file, sources)
			if errors.Is(err, errRead) {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// resolveSource reads the source of one job, if it has one.
func resolveSource(ctx context.Context, files *reader, job *yaml.Node, file string, sources map[*yaml.Node]string) error {
	if job.Kind != yaml.MappingNode {
		return nil // the triggers loader says what is wrong
	}
	for i := 0; i+1 < len(job.Content); i += 2 {
		key, value := job.Content[i], job.Content[i+1]
		if key.Value != "source" {
			continue
		}
		src, err := sourcePath(file, value)
		if err != nil {
			return err
		}
		data, found, err := files.read(ctx, src)
		if err != nil || !found {
			return cmp.Or(err, problem(file, value.Line, "source %q: %s does not exist at this commit", value.Value, src))
		}
		runKey, run, err := pipelineRun(data, src)
		if err != nil {
			return err
		}
		key.Value, job.Content[i+1] = runKey, run
		sources[run] = src
		return nil
	}
	return nil
}

// sourcePath is the repository path of the file a source field of file
// names, relative to the directory file is in.
func sourcePath(file string, value *yaml.Node) (string, error) {
	switch {
	case value.Kind != yaml.ScalarNode || value.Value == "":
		return "", problem(file, value.Line, "source must name a file next to %s", lighthouseTriggers)
	case strings.Contains(value.Value, "://"):
		return "", problem(file, value.Line, "source %q: URLs are not supported; keep the PipelineRun in the repository", value.Value)
	}
	p := path.Join(path.Dir(file), value.Value)
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(value.Value) {
		return "", problem(file, value.Line, "source %q is outside the repository", value.Value)
	}
	return p, nil
}

// pipelineRun reads a Tekton PipelineRun file and returns the job field
// its spec becomes: pipeline_run_spec for v1beta1, as Lighthouse names it,
// or tekton_pipeline_run_spec.v1 for v1.
func pipelineRun(data []byte, file string) (string, *yaml.Node, error) {
	root, err := parseYAML(data, file)
	if err != nil {
		return "", nil, err
	}
	if root == nil {
		return "", nil, problem(file, 0, "the file is empty; want a Tekton PipelineRun")
	}
	fs, err := fields(root, file, "PipelineRun", runFields)
	if err != nil {
		return "", nil, err
	}
	if err := checkType(fs, file, root, "tekton.dev/v1beta1 or tekton.dev/v1", "PipelineRun"); err != nil {
		return "", nil, err
	}
	if bytes.Contains(data, []byte("image: uses:")) {
		return "", nil, problem(file, 0, "Lighthouse's image: uses: steps are not supported; write the steps out")
	}
	spec := lookup(fs, "spec")
	if spec == nil {
		return "", nil, problem(file, root.Line, "the PipelineRun has no spec")
	}
	if lookup(fs, "apiVersion").Value == "tekton.dev/v1" {
		return "tekton_pipeline_run_spec", mapping(scalar("v1"), spec), nil
	}
	return "pipeline_run_spec", spec, nil
}
