package launch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"text/template"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultCloneImage runs the clone step of decorated pod-spec jobs when
// fresnel.yaml names no other: it needs sh and git.
const DefaultCloneImage = "alpine/git:v2.52.0"

// Options are what a PipelineRun takes from fresnel's settings.
type Options struct {
	// Namespace is where the run is created.
	Namespace string
	// CloneImage runs the clone step of decorated pod-spec jobs;
	// DefaultCloneImage when empty.
	CloneImage string
}

// PipelineRun builds the PipelineRun for job, selected by ev, in
// namespace, with the default options otherwise. See Build.
func PipelineRun(job *triggers.Job, ev event.Event, namespace string) (*pipelinev1.PipelineRun, error) {
	return Build(job, ev, Options{Namespace: namespace})
}

// Build builds the PipelineRun for job, selected by ev. It carries the
// labels, annotations and Prow/Lighthouse parameters the controller, the
// dashboard and the job itself read; a pod-spec job's steps also get
// Prow's job environment and, when decorated, a checkout of its refs.
func Build(job *triggers.Job, ev event.Event, opts Options) (*pipelinev1.PipelineRun, error) {
	name := RunName(ev.Instance, ev.Repo.FullName, ev.Delivery, job.Name)
	env := Env(job, ev, name)
	spec, err := runSpec(job, ev, env, opts)
	if err != nil {
		return nil, fmt.Errorf("launch: %s: %w", job.Name, err)
	}
	extra, err := templateParams(job.PipelineRunParams, env)
	if err != nil {
		return nil, fmt.Errorf("launch: %s: %w", job.Name, err)
	}
	spec.Params = withParams(spec.Params, append(extra, envParams(env)...))
	if job.MaxConcurrency > 0 {
		spec.Status = pipelinev1.PipelineRunSpecStatusPending
	}
	return &pipelinev1.PipelineRun{
		TypeMeta: metav1.TypeMeta{APIVersion: "tekton.dev/v1", Kind: "PipelineRun"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   opts.Namespace,
			Labels:      labels(job, ev),
			Annotations: annotations(job, ev),
		},
		Spec: *spec,
	}, nil
}

func labels(job *triggers.Job, ev event.Event) map[string]string {
	l := maps.Clone(job.Labels)
	if l == nil {
		l = map[string]string{}
	}
	l[run.LabelManaged] = "true"
	l[run.LabelProvider] = ev.Provider
	l[run.LabelType] = string(job.Type)
	l[run.LabelJob] = LabelValue(job.Name)
	l[run.LabelRepo] = RepoLabel(ev.Repo.FullName)
	l[run.LabelSHA] = LabelValue(ev.HeadSHA)
	if ev.Number > 0 {
		l[run.LabelPull] = strconv.Itoa(ev.Number)
	}
	return l
}

func annotations(job *triggers.Job, ev event.Event) map[string]string {
	a := maps.Clone(job.Annotations)
	if a == nil {
		a = map[string]string{}
	}
	a[run.AnnotationRepo] = ev.Repo.FullName
	a[run.AnnotationSHA] = ev.HeadSHA
	a[run.AnnotationBaseRef] = ev.BaseRef
	a[run.AnnotationContext] = job.Context
	a[run.AnnotationDelivery] = ev.Delivery
	a[run.AnnotationInstance] = ev.Instance
	if ev.Link != "" {
		a[run.AnnotationLink] = ev.Link
	}
	if job.SkipReport {
		a[run.AnnotationSkipReport] = "true"
	}
	if job.Type == triggers.Presubmit && job.RerunCommand != "" {
		a[run.AnnotationRerunCommand] = job.RerunCommand
	}
	if job.MaxConcurrency > 0 {
		a[run.AnnotationMaxConcurrency] = strconv.Itoa(job.MaxConcurrency)
	}
	return a
}

// Env returns the variables Prow and Lighthouse give a job, by name: the
// run's parameters, Prow's job environment (see stepEnv) and what
// pipeline_run_params templates read.
func Env(job *triggers.Job, ev event.Event, buildID string) map[string]string {
	env := map[string]string{
		"CI":            "true",
		"JOB_NAME":      job.Name,
		"JOB_TYPE":      string(job.Type),
		"BUILD_ID":      buildID,
		"BUILD_NUMBER":  buildID,
		"PROW_JOB_ID":   buildID,
		"REPO_OWNER":    ev.Repo.Owner,
		"REPO_NAME":     ev.Repo.Name,
		"REPO_URL":      ev.Repo.CloneURL,
		"PULL_BASE_REF": ev.BaseRef,
		"PULL_BASE_SHA": ev.BaseSHA,
	}
	refs := ev.BaseRef + ":" + ev.BaseSHA
	if ev.Number > 0 {
		env["PULL_NUMBER"] = strconv.Itoa(ev.Number)
		env["PULL_PULL_SHA"] = ev.HeadSHA
		env["PULL_PULL_REF"] = ev.PullRef
		env["PULL_HEAD_REF"] = ev.HeadRef
		env["PULL_TITLE"] = ev.Title
		refs += "," + strconv.Itoa(ev.Number) + ":" + ev.HeadSHA
	} else {
		env["PULL_BASE_SHA"] = ev.HeadSHA
		refs = ev.BaseRef + ":" + ev.HeadSHA
	}
	env["PULL_REFS"] = refs
	main := mainRefs(job, ev, env["PULL_BASE_SHA"])
	if main != nil {
		env["SRC_HOST"], env["SRC_BASE"] = srcHostBase(*main)
	}
	env["JOB_SPEC"] = jobSpec(job, main, buildID)
	return env
}

// mainRefs is the repository and commits a job runs on, in the shape of
// Prow's refs with the job's clone settings; nil for a periodic, which
// runs on none.
func mainRefs(job *triggers.Job, ev event.Event, baseSHA string) *triggers.Refs {
	if job.Type == triggers.Periodic || ev.Repo.FullName == "" {
		return nil
	}
	r := triggers.Refs{
		Org: ev.Repo.Owner, Repo: ev.Repo.Name, RepoLink: repoLink(ev.Repo),
		BaseRef: ev.BaseRef, BaseSHA: baseSHA,
	}
	if ev.Number > 0 {
		r.Pulls = []triggers.Pull{{
			Number: ev.Number, Author: ev.Author, SHA: ev.HeadSHA, Title: ev.Title,
			Ref: ev.PullRef, HeadRef: ev.HeadRef, Link: ev.Link,
		}}
	}
	r = job.MainRefs(r)
	return &r
}

// repoLink is the repository's web link, or else its HTTP(S) clone URL
// without .git (a Gerrit project's), from which clone paths are made.
func repoLink(r event.Repo) string {
	if r.Link != "" || !strings.Contains(r.CloneURL, "://") {
		return r.Link
	}
	return strings.TrimSuffix(r.CloneURL, ".git")
}

// srcHostBase splits where Prow clones r (its path alias, or its link
// without the scheme) into the host and the rest, as SRC_HOST and SRC_BASE.
func srcHostBase(r triggers.Refs) (host, base string) {
	rel := strings.TrimPrefix(triggers.CloneDir("/", r), "/src/")
	host, base, _ = strings.Cut(rel, "/")
	return host, base
}

// jobSpec is Prow's JOB_SPEC: the job, its build, and the refs it runs on.
func jobSpec(job *triggers.Job, main *triggers.Refs, buildID string) string {
	spec := struct {
		Type      string          `json:"type,omitempty"`
		Job       string          `json:"job,omitempty"`
		BuildID   string          `json:"buildid,omitempty"`
		ProwJobID string          `json:"prowjobid,omitempty"`
		Refs      *triggers.Refs  `json:"refs,omitempty"`
		ExtraRefs []triggers.Refs `json:"extra_refs,omitempty"`
	}{string(job.Type), job.Name, buildID, buildID, main, job.ExtraRefs}
	b, _ := json.Marshal(spec) // strings, ints, bools and raw JSON that decoded: cannot fail
	return string(b)
}

// paramOrder is the order of the standard parameters on every run.
var paramOrder = []string{
	"JOB_NAME", "JOB_TYPE", "JOB_SPEC", "BUILD_ID", "REPO_OWNER", "REPO_NAME", "REPO_URL",
	"PULL_BASE_REF", "PULL_BASE_SHA", "PULL_NUMBER", "PULL_PULL_SHA", "PULL_PULL_REF", "PULL_REFS",
}

func envParams(env map[string]string) pipelinev1.Params {
	params := make(pipelinev1.Params, 0, len(paramOrder))
	for _, name := range paramOrder {
		if v, ok := env[name]; ok {
			params = append(params, pipelinev1.Param{Name: name, Value: *pipelinev1.NewStructuredValues(v)})
		}
	}
	return params
}

// templateParams renders Lighthouse's pipeline_run_params.
func templateParams(defs []triggers.PipelineParam, env map[string]string) (pipelinev1.Params, error) {
	params := make(pipelinev1.Params, 0, len(defs))
	for _, d := range defs {
		t, err := template.New(d.Name).Option("missingkey=zero").Parse(d.ValueTemplate)
		if err != nil {
			return nil, fmt.Errorf("pipeline_run_params %s: %w", d.Name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, env); err != nil {
			return nil, fmt.Errorf("pipeline_run_params %s: %w", d.Name, err)
		}
		params = append(params, pipelinev1.Param{Name: d.Name, Value: *pipelinev1.NewStructuredValues(strings.TrimSpace(buf.String()))})
	}
	return params, nil
}

// withParams adds params not already set by the job's own spec.
func withParams(own, add pipelinev1.Params) pipelinev1.Params {
	set := map[string]bool{}
	for _, p := range own {
		set[p.Name] = true
	}
	for _, p := range add {
		if !set[p.Name] {
			own = append(own, p)
			set[p.Name] = true
		}
	}
	return own
}
