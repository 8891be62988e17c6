package triggers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
)

// Load reads config.yaml and, when jobConfigDir is set, every *.yaml file
// under it (recursively, as Prow's --job-config-path), merges the jobs and
// validates them. Unknown fields are errors. Each error names its file
// and line; warnings (see Check) do not stop a load.
func Load(configPath, jobConfigDir string) (*Config, error) {
	cfg, problems := Check(configPath, jobConfigDir)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Check reads the files Load reads and returns every problem it finds,
// errors and warnings, in file and line order. The configuration is nil
// when there is an error. Files are read on every core; a file whose
// content is the one the last Check read is not parsed again (see
// reload.go).
func Check(configPath, jobConfigDir string) (*Config, Problems) {
	l := newLoader()
	l.files = newFileSet()
	cfg, problems := l.load(configPath, jobConfigDir)
	if len(l.premerged) > 0 && l.presetsID() != l.files.presets {
		// The presets changed: the jobs of unchanged files have the old
		// ones merged, so every file is read again.
		l = newLoader()
		l.files = &fileSet{now: map[string]*fileReader{}}
		cfg, problems = l.load(configPath, jobConfigDir)
	}
	l.files.remember(l.final, l.presetsID())
	return cfg, problems
}

func (l *loader) load(configPath, jobConfigDir string) (*Config, Problems) {
	paths := []string{configPath}
	if jobConfigDir != "" {
		files, err := yamlFiles(jobConfigDir)
		if err != nil {
			l.problem(jobConfigDir, 0, SeverityError, "cannot read the job-config directory: %v", unwrapPath(err))
		}
		paths = append(paths, files...)
	}
	l.readFiles(paths)
	return l.finish()
}

// Parse reads one configuration document; source names it in errors.
func Parse(data []byte, source string) (*Config, error) {
	l := newLoader()
	l.readData(data, source)
	cfg, problems := l.finish()
	if err := problems.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
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

// applyPresubmitDefaults sets trigger and rerun_command as Prow does.
func (j *Job) applyPresubmitDefaults() {
	if j.Trigger == "" {
		j.Trigger = defaultTrigger(j.Name)
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
