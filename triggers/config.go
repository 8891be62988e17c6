// Package triggers reads Prow-compatible job configuration (config.yaml and
// a job-config directory) and decides which jobs an event runs.
package triggers

import (
	"encoding/json"
	"regexp"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	corev1 "k8s.io/api/core/v1"
)

// JobType is presubmit, postsubmit or periodic, as Prow names them.
type JobType string

// Job types.
const (
	Presubmit  JobType = "presubmit"
	Postsubmit JobType = "postsubmit"
	Periodic   JobType = "periodic"
)

// Config is the job configuration: Prow's config.yaml plus every file of
// the job-config directory, merged.
type Config struct {
	Presubmits  map[string][]*Job `json:"presubmits,omitempty"`
	Postsubmits map[string][]*Job `json:"postsubmits,omitempty"`
	Periodics   []*Job            `json:"periodics,omitempty"`
	// Plugins holds plugins.yaml's trigger settings; nil when none is read.
	Plugins *Plugins `json:"-"`
	// Warnings are the problems loading found that did not stop it.
	Warnings Problems `json:"-"`
}

// Job is one Prow job: the fields Prow and Lighthouse share for
// presubmits, postsubmits and periodics.
type Job struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Agent       string            `json:"agent,omitempty"`
	Cluster     string            `json:"cluster,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`

	MaxConcurrency int `json:"max_concurrency,omitempty"`

	// Branch rules: regular expressions matched unanchored, as Prow does.
	Branches     []string `json:"branches,omitempty"`
	SkipBranches []string `json:"skip_branches,omitempty"`

	// Changed-file rules.
	RunIfChanged      string `json:"run_if_changed,omitempty"`
	SkipIfOnlyChanged string `json:"skip_if_only_changed,omitempty"`

	AlwaysRun      bool   `json:"always_run,omitempty"`
	Context        string `json:"context,omitempty"`
	Optional       bool   `json:"optional,omitempty"`
	SkipReport     bool   `json:"skip_report,omitempty"`
	Trigger        string `json:"trigger,omitempty"`
	RerunCommand   string `json:"rerun_command,omitempty"`
	RunBeforeMerge bool   `json:"run_before_merge,omitempty"`

	// Periodic schedule.
	Cron            string `json:"cron,omitempty"`
	Interval        string `json:"interval,omitempty"`
	MinimumInterval string `json:"minimum_interval,omitempty"`
	// Tags are free-form notes Prow keeps with a periodic; nothing reads them.
	Tags []string `json:"tags,omitempty"`

	// Run definitions: exactly one of these.
	PipelineRunSpec       *v1beta1.PipelineRunSpec `json:"pipeline_run_spec,omitempty"`
	PipelineRunParams     []PipelineParam          `json:"pipeline_run_params,omitempty"`
	TektonPipelineRunSpec *TektonSpec              `json:"tekton_pipeline_run_spec,omitempty"`
	Spec                  *corev1.PodSpec          `json:"spec,omitempty"`

	// Prow's decoration of pod-spec jobs (see decorate.go).
	UtilityConfig
	Unsupported

	// Set when loading.
	Type     JobType        `json:"-"`
	Repo     string         `json:"-"`
	Source   string         `json:"-"`
	Line     int            `json:"-"` // of the job in Source
	branches *regexp.Regexp `json:"-"`
	skips    *regexp.Regexp `json:"-"`
	changed  *regexp.Regexp `json:"-"`
	onlySkip *regexp.Regexp `json:"-"`
	trigger  commandMatcher `json:"-"`
	run      *pipelinev1.PipelineRunSpec
	// unrunnable marks a job another agent runs (Jenkins, say) that has
	// no Tekton run definition: it loads with a warning and is left out.
	unrunnable bool
	// alwaysRunSet records that the file set always_run, to tell an
	// explicit false from an omitted one (Prow runs such a postsubmit
	// only when always_run is omitted).
	alwaysRunSet bool
}

// Unsupported holds the Prow job fields fresnel accepts, so Prow's files
// load unchanged, but does not act on. Check warns about each one set.
type Unsupported struct {
	ReporterConfig  json.RawMessage `json:"reporter_config,omitempty"`
	RerunAuthConfig json.RawMessage `json:"rerun_auth_config,omitempty"`
	Hidden          json.RawMessage `json:"hidden,omitempty"`
	ErrorOnEviction json.RawMessage `json:"error_on_eviction,omitempty"`
	ProwJobDefaults json.RawMessage `json:"prowjob_defaults,omitempty"`
	JobQueueName    json.RawMessage `json:"job_queue_name,omitempty"`
	// Lighthouse's.
	RequireRun  json.RawMessage `json:"require_run,omitempty"`
	JenkinsSpec json.RawMessage `json:"jenkins_spec,omitempty"`
}

// PipelineParam is a Lighthouse pipeline_run_params entry: a parameter
// whose value is a Go template over the job's environment (PULL_NUMBER, ...).
type PipelineParam struct {
	Name          string `json:"name"`
	ValueTemplate string `json:"value_template"`
}

// TektonSpec is Prow's tekton_pipeline_run_spec: the PipelineRun spec in
// one API version.
type TektonSpec struct {
	V1Beta1 *v1beta1.PipelineRunSpec    `json:"v1beta1,omitempty"`
	V1      *pipelinev1.PipelineRunSpec `json:"v1,omitempty"`
}

// RunSpec returns the job's PipelineRun spec in Tekton's v1 API. Callers
// must not modify it.
func (j *Job) RunSpec() *pipelinev1.PipelineRunSpec { return j.run }

// ContextName is the status context the job reports under.
func (j *Job) ContextName() string { return j.Context }

// RunsOnBranch reports whether the job's branches and skip_branches let
// it run on branch.
func (j *Job) RunsOnBranch(branch string) bool {
	ok, _ := j.matchesBranch(branch)
	return ok
}
