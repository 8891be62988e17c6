package triggers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	"sigs.k8s.io/yaml"
)

// Load reads config.yaml and, when jobConfigDir is set, every *.yaml file
// under it (recursively, as Prow's --job-config-path), merges the jobs and
// validates them. Unknown fields are errors.
func Load(configPath, jobConfigDir string) (*Config, error) {
	cfg := &Config{}
	if err := mergeFile(cfg, configPath); err != nil {
		return nil, err
	}
	if jobConfigDir != "" {
		files, err := yamlFiles(jobConfigDir)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := mergeFile(cfg, f); err != nil {
				return nil, err
			}
		}
	}
	if err := cfg.finish(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Parse reads one configuration document; source names it in errors.
func Parse(data []byte, source string) (*Config, error) {
	cfg := &Config{}
	if err := mergeData(cfg, data, source); err != nil {
		return nil, err
	}
	if err := cfg.finish(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// fileJobs is the part of a Prow file that holds jobs; other top-level
// keys of config.yaml (tide, plank, ...) belong to other components.
type fileJobs struct {
	Presubmits  map[string][]*Job `json:"presubmits,omitempty"`
	Postsubmits map[string][]*Job `json:"postsubmits,omitempty"`
	Periodics   []*Job            `json:"periodics,omitempty"`
}

func mergeFile(cfg *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("triggers: %w", err)
	}
	return mergeData(cfg, data, path)
}

func mergeData(cfg *Config, data []byte, source string) error {
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return fmt.Errorf("triggers: %s: %w", source, err)
	}
	jobsOnly := map[string]any{}
	for _, k := range []string{"presubmits", "postsubmits", "periodics"} {
		if v, ok := top[k]; ok {
			jobsOnly[k] = v
		}
	}
	raw, err := yaml.Marshal(jobsOnly)
	if err != nil {
		return fmt.Errorf("triggers: %s: %w", source, err)
	}
	var f fileJobs
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		return fmt.Errorf("triggers: %s: %w", source, err)
	}
	cfg.add(f, source)
	return nil
}

func (c *Config) add(f fileJobs, source string) {
	if c.Presubmits == nil {
		c.Presubmits = map[string][]*Job{}
		c.Postsubmits = map[string][]*Job{}
	}
	for repo, jobs := range f.Presubmits {
		c.Presubmits[repo] = append(c.Presubmits[repo], tag(jobs, Presubmit, repo, source)...)
	}
	for repo, jobs := range f.Postsubmits {
		c.Postsubmits[repo] = append(c.Postsubmits[repo], tag(jobs, Postsubmit, repo, source)...)
	}
	c.Periodics = append(c.Periodics, tag(f.Periodics, Periodic, "", source)...)
}

func tag(jobs []*Job, t JobType, repo, source string) []*Job {
	for _, j := range jobs {
		j.Type, j.Repo, j.Source = t, repo, source
	}
	return jobs
}

func yamlFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// ConfigMap mounts keep their real files in ..data dirs; read the
		// symlinked names only.
		if d.IsDir() && strings.HasPrefix(d.Name(), "..") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("triggers: job config %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}

// finish applies Prow's defaults, compiles every regular expression and
// converts run definitions, collecting every problem.
func (c *Config) finish() error {
	var errs []error
	for _, jobs := range c.Presubmits {
		for _, j := range jobs {
			errs = append(errs, j.finish())
		}
	}
	for _, jobs := range c.Postsubmits {
		for _, j := range jobs {
			errs = append(errs, j.finish())
		}
	}
	for _, j := range c.Periodics {
		errs = append(errs, j.finish())
	}
	errs = append(errs, c.checkDuplicates()...)
	return errors.Join(errs...)
}

func (c *Config) checkDuplicates() []error {
	var errs []error
	for _, set := range []map[string][]*Job{c.Presubmits, c.Postsubmits} {
		for repo, jobs := range set {
			names, contexts := map[string]bool{}, map[string]bool{}
			for _, j := range jobs {
				if names[j.Name] {
					errs = append(errs, fmt.Errorf("triggers: %s: %s %q is defined twice for %s", j.Source, j.Type, j.Name, repo))
				}
				names[j.Name] = true
				if j.Type == Presubmit && contexts[j.Context] {
					errs = append(errs, fmt.Errorf("triggers: %s: context %q is used twice for %s", j.Source, j.Context, repo))
				}
				contexts[j.Context] = true
			}
		}
	}
	return errs
}

func (j *Job) finish() error {
	if j.Name == "" {
		return fmt.Errorf("triggers: %s: a %s without a name", j.Source, j.Type)
	}
	var errs []error
	compile := func(field, expr string) *regexp.Regexp {
		if expr == "" {
			return nil
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		}
		return re
	}
	j.branches = compile("branches", strings.Join(j.Branches, "|"))
	j.skips = compile("skip_branches", strings.Join(j.SkipBranches, "|"))
	j.changed = compile("run_if_changed", j.RunIfChanged)
	j.onlySkip = compile("skip_if_only_changed", j.SkipIfOnlyChanged)
	if j.RunIfChanged != "" && j.SkipIfOnlyChanged != "" {
		errs = append(errs, errors.New("run_if_changed and skip_if_only_changed are mutually exclusive"))
	}
	if j.Type == Presubmit {
		j.applyPresubmitDefaults()
		j.trigger = compile("trigger", j.Trigger)
	}
	if j.Type != Periodic && j.Context == "" {
		j.Context = j.Name
	}
	if err := j.convertRun(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("triggers: %s: %s %q: %w", j.Source, j.Type, j.Name, err)
	}
	return nil
}

// applyPresubmitDefaults sets trigger and rerun_command as Prow does.
func (j *Job) applyPresubmitDefaults() {
	if j.Trigger == "" {
		j.Trigger = fmt.Sprintf(`(?m)^/test( | .* )%s,?($|\s.*)`, regexp.QuoteMeta(j.Name))
	}
	if j.RerunCommand == "" {
		j.RerunCommand = "/test " + j.Name
	}
}

func (j *Job) convertRun() error {
	defs := 0
	for _, set := range []bool{j.PipelineRunSpec != nil, j.TektonPipelineRunSpec != nil, j.Spec != nil} {
		if set {
			defs++
		}
	}
	if defs != 1 {
		return errors.New("exactly one of pipeline_run_spec, tekton_pipeline_run_spec or spec must be set")
	}
	switch {
	case j.PipelineRunSpec != nil:
		return j.convertV1Beta1(j.PipelineRunSpec)
	case j.TektonPipelineRunSpec != nil && j.TektonPipelineRunSpec.V1 != nil:
		j.run = j.TektonPipelineRunSpec.V1
		return nil
	case j.TektonPipelineRunSpec != nil && j.TektonPipelineRunSpec.V1Beta1 != nil:
		return j.convertV1Beta1(j.TektonPipelineRunSpec.V1Beta1)
	case j.Spec != nil:
		run, err := podSpecRun(j.Spec)
		j.run = run
		return err
	}
	return errors.New("tekton_pipeline_run_spec needs v1 or v1beta1")
}

func (j *Job) convertV1Beta1(spec *v1beta1.PipelineRunSpec) error {
	src := &v1beta1.PipelineRun{Spec: *spec}
	var dst pipelinev1.PipelineRun
	if err := src.ConvertTo(context.Background(), &dst); err != nil {
		return fmt.Errorf("convert v1beta1 PipelineRun spec to v1: %w", err)
	}
	j.run = &dst.Spec
	return nil
}
