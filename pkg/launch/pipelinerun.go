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
	"github.com/fresnel-ci/fresnel/triggers"
)

// PipelineRun builds the PipelineRun for job, selected by ev, in
// namespace. It carries the labels, annotations and Prow/Lighthouse
// parameters the controller, the dashboard and the job itself read.
func PipelineRun(job *triggers.Job, ev event.Event, namespace string) (*pipelinev1.PipelineRun, error) {
	name := RunName(ev.Instance, ev.Repo.FullName, ev.Delivery, job.Name)
	env := Env(job, ev, name)
	spec := job.RunSpec().DeepCopy()
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
			Namespace:   namespace,
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
	l[LabelManaged] = "true"
	l[LabelProvider] = ev.Provider
	l[LabelType] = string(job.Type)
	l[LabelJob] = LabelValue(job.Name)
	l[LabelRepo] = RepoLabel(ev.Repo.FullName)
	l[LabelSHA] = LabelValue(ev.HeadSHA)
	if ev.Number > 0 {
		l[LabelPull] = strconv.Itoa(ev.Number)
	}
	return l
}

func annotations(job *triggers.Job, ev event.Event) map[string]string {
	a := maps.Clone(job.Annotations)
	if a == nil {
		a = map[string]string{}
	}
	a[AnnotationRepo] = ev.Repo.FullName
	a[AnnotationSHA] = ev.HeadSHA
	a[AnnotationBaseRef] = ev.BaseRef
	a[AnnotationContext] = job.Context
	a[AnnotationDelivery] = ev.Delivery
	a[AnnotationInstance] = ev.Instance
	if ev.Link != "" {
		a[AnnotationLink] = ev.Link
	}
	if job.SkipReport {
		a[AnnotationSkipReport] = "true"
	}
	if job.MaxConcurrency > 0 {
		a[AnnotationMaxConcurrency] = strconv.Itoa(job.MaxConcurrency)
	}
	return a
}

// Env returns the variables Prow and Lighthouse give a job, by name.
func Env(job *triggers.Job, ev event.Event, buildID string) map[string]string {
	env := map[string]string{
		"JOB_NAME":      job.Name,
		"JOB_TYPE":      string(job.Type),
		"BUILD_ID":      buildID,
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
		refs += "," + strconv.Itoa(ev.Number) + ":" + ev.HeadSHA
	} else {
		env["PULL_BASE_SHA"] = ev.HeadSHA
		refs = ev.BaseRef + ":" + ev.HeadSHA
	}
	env["PULL_REFS"] = refs
	env["JOB_SPEC"] = jobSpec(job, ev, env)
	return env
}

// jobSpecRefs and jobSpecPull follow the shape of Prow's JOB_SPEC.
type jobSpecRefs struct {
	Org      string        `json:"org"`
	Repo     string        `json:"repo"`
	RepoLink string        `json:"repo_link,omitempty"`
	BaseRef  string        `json:"base_ref"`
	BaseSHA  string        `json:"base_sha"`
	Pulls    []jobSpecPull `json:"pulls,omitempty"`
}

type jobSpecPull struct {
	Number int    `json:"number"`
	Author string `json:"author"`
	SHA    string `json:"sha"`
	Ref    string `json:"ref,omitempty"`
	Link   string `json:"link,omitempty"`
}

func jobSpec(job *triggers.Job, ev event.Event, env map[string]string) string {
	refs := jobSpecRefs{
		Org: ev.Repo.Owner, Repo: ev.Repo.Name, RepoLink: ev.Repo.Link,
		BaseRef: ev.BaseRef, BaseSHA: env["PULL_BASE_SHA"],
	}
	if ev.Number > 0 {
		refs.Pulls = []jobSpecPull{{Number: ev.Number, Author: ev.Author, SHA: ev.HeadSHA, Ref: ev.PullRef, Link: ev.Link}}
	}
	spec := struct {
		Type    string      `json:"type"`
		Job     string      `json:"job"`
		BuildID string      `json:"buildid"`
		Refs    jobSpecRefs `json:"refs"`
	}{string(job.Type), job.Name, env["BUILD_ID"], refs}
	b, _ := json.Marshal(spec) // plain strings and ints: cannot fail
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
