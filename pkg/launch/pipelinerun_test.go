package launch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

const jobsYAML = `
presubmits:
  org/repo:
  - name: unit
    always_run: true
    context: ci/unit
    labels: {team: core}
    annotations: {owner: alice}
    pipeline_run_spec:
      pipelineRef: {name: build}
      params:
      - {name: REPO_URL, value: "git@mirror:org/repo.git"}
      - {name: mode, value: fast}
    pipeline_run_params:
    - {name: pr, value_template: "pr-{{ .PULL_NUMBER }}"}
    - {name: sha, value_template: "{{ .PULL_PULL_SHA }}"}
    - {name: missing, value_template: "{{ .NOT_A_VARIABLE }}"}
  - name: quiet
    skip_report: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
postsubmits:
  org/repo:
  - name: publish
    tekton_pipeline_run_spec:
      v1:
        pipelineRef: {name: publish}
`

func testJobs(t *testing.T) *triggers.Config {
	t.Helper()
	cfg, err := triggers.Parse([]byte(jobsYAML), "config.yaml")
	if err != nil {
		t.Fatalf("triggers.Parse: %v", err)
	}
	return cfg
}

func jobNamed(t *testing.T, jobs []*triggers.Job, name string) *triggers.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q", name)
	return nil
}

var repo = event.Repo{
	Owner: "org", Name: "repo", FullName: "org/repo",
	CloneURL: "https://github.com/org/repo.git", Link: "https://github.com/org/repo",
}

var prEvent = event.Event{
	Provider: "github", Instance: "public", Delivery: "d-1",
	Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: repo,
	BaseRef: "main", BaseSHA: "b4se", HeadRef: "feature", HeadSHA: "he4d", PullRef: "refs/pull/7/head",
	Number: 7, Author: "bob", Link: "https://github.com/org/repo/pull/7",
}

var pushEvent = event.Event{
	Provider: "github", Instance: "public", Delivery: "d-2",
	Kind: event.KindPush, Repo: repo,
	Ref: "refs/heads/main", BaseRef: "main", BaseSHA: "before", HeadSHA: "after",
}

// paramMap returns the run's params by name, failing on a duplicate
// (Tekton refuses a run that sets a param twice).
func paramMap(t *testing.T, params pipelinev1.Params) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, p := range params {
		if _, dup := m[p.Name]; dup {
			t.Errorf("param %s is set twice", p.Name)
		}
		if p.Value.Type != pipelinev1.ParamTypeString {
			t.Errorf("param %s has type %s, want string", p.Name, p.Value.Type)
		}
		m[p.Name] = p.Value.StringVal
	}
	return m
}

// parsedJobSpec is the part of Prow's JOB_SPEC the tests read.
type parsedJobSpec struct {
	Type    string `json:"type"`
	Job     string `json:"job"`
	BuildID string `json:"buildid"`
	Refs    struct {
		Org     string `json:"org"`
		Repo    string `json:"repo"`
		BaseRef string `json:"base_ref"`
		BaseSHA string `json:"base_sha"`
		Pulls   []struct {
			Number int    `json:"number"`
			Author string `json:"author"`
			SHA    string `json:"sha"`
			Ref    string `json:"ref"`
		} `json:"pulls"`
	} `json:"refs"`
}

func TestPipelineRunPresubmit(t *testing.T) {
	job := jobNamed(t, testJobs(t).Presubmits["org/repo"], "unit")
	pr, err := PipelineRun(job, prEvent, "ci")
	if err != nil {
		t.Fatalf("PipelineRun: %v", err)
	}
	name := RunName("public", "org/repo", "d-1", "unit")
	if pr.Name != name || pr.Namespace != "ci" {
		t.Errorf("run is %s/%s, want ci/%s", pr.Namespace, pr.Name, name)
	}
	if pr.APIVersion != "tekton.dev/v1" || pr.Kind != "PipelineRun" {
		t.Errorf("TypeMeta = %s %s, want tekton.dev/v1 PipelineRun", pr.APIVersion, pr.Kind)
	}
	wantLabels := map[string]string{
		"team":                "core",
		"fresnel.dev/managed": "true", "fresnel.dev/provider": "github", "fresnel.dev/type": "presubmit",
		"fresnel.dev/job": "unit", "fresnel.dev/pull": "7", "fresnel.dev/sha": "he4d", "fresnel.dev/repo": "org.repo",
	}
	if diff := cmp.Diff(wantLabels, pr.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	wantAnnotations := map[string]string{
		"owner":            "alice",
		"fresnel.dev/repo": "org/repo", "fresnel.dev/sha": "he4d", "fresnel.dev/base-ref": "main",
		"fresnel.dev/context": "ci/unit", "fresnel.dev/delivery": "d-1", "fresnel.dev/instance": "public",
		"fresnel.dev/link": "https://github.com/org/repo/pull/7", "fresnel.dev/rerun-command": "/test unit",
	}
	if diff := cmp.Diff(wantAnnotations, pr.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if pr.Spec.PipelineRef == nil || pr.Spec.PipelineRef.Name != "build" {
		t.Errorf("PipelineRef = %+v, want build", pr.Spec.PipelineRef)
	}

	params := paramMap(t, pr.Spec.Params)
	var spec parsedJobSpec
	if err := json.Unmarshal([]byte(params["JOB_SPEC"]), &spec); err != nil {
		t.Errorf("JOB_SPEC %q is not JSON: %v", params["JOB_SPEC"], err)
	}
	delete(params, "JOB_SPEC")
	wantParams := map[string]string{
		"REPO_URL": "git@mirror:org/repo.git", // the job's own value wins
		"mode":     "fast",
		"pr":       "pr-7", "sha": "he4d", "missing": "",
		"JOB_NAME": "unit", "JOB_TYPE": "presubmit", "BUILD_ID": name,
		"REPO_OWNER": "org", "REPO_NAME": "repo",
		"PULL_BASE_REF": "main", "PULL_BASE_SHA": "b4se",
		"PULL_NUMBER": "7", "PULL_PULL_SHA": "he4d", "PULL_PULL_REF": "refs/pull/7/head",
		"PULL_REFS": "main:b4se,7:he4d",
	}
	if diff := cmp.Diff(wantParams, params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if spec.Type != "presubmit" || spec.Job != "unit" || spec.BuildID != name {
		t.Errorf("JOB_SPEC type/job/buildid = %q/%q/%q, want presubmit/unit/%s", spec.Type, spec.Job, spec.BuildID, name)
	}
	if r := spec.Refs; r.Org != "org" || r.Repo != "repo" || r.BaseRef != "main" || r.BaseSHA != "b4se" {
		t.Errorf("JOB_SPEC refs = %+v, want org/repo main@b4se", r)
	}
	if p := spec.Refs.Pulls; len(p) != 1 || p[0].Number != 7 || p[0].SHA != "he4d" || p[0].Author != "bob" || p[0].Ref != "refs/pull/7/head" {
		t.Errorf("JOB_SPEC pulls = %+v, want #7 by bob at he4d", p)
	}
}

func TestPipelineRunPostsubmit(t *testing.T) {
	job := jobNamed(t, testJobs(t).Postsubmits["org/repo"], "publish")
	pr, err := PipelineRun(job, pushEvent, "ci")
	if err != nil {
		t.Fatalf("PipelineRun: %v", err)
	}
	if got, want := pr.Labels[run.LabelType], "postsubmit"; got != want {
		t.Errorf("type label = %q, want %q", got, want)
	}
	if _, ok := pr.Labels[run.LabelPull]; ok {
		t.Errorf("a push run has a pull label: %v", pr.Labels)
	}
	if got, want := pr.Annotations[run.AnnotationContext], "publish"; got != want {
		t.Errorf("context annotation = %q, want the job name %q", got, want)
	}
	params := paramMap(t, pr.Spec.Params)
	var spec parsedJobSpec
	if err := json.Unmarshal([]byte(params["JOB_SPEC"]), &spec); err != nil {
		t.Errorf("JOB_SPEC %q is not JSON: %v", params["JOB_SPEC"], err)
	}
	delete(params, "JOB_SPEC")
	name := RunName("public", "org/repo", "d-2", "publish")
	wantParams := map[string]string{
		"JOB_NAME": "publish", "JOB_TYPE": "postsubmit", "BUILD_ID": name,
		"REPO_OWNER": "org", "REPO_NAME": "repo", "REPO_URL": "https://github.com/org/repo.git",
		"PULL_BASE_REF": "main", "PULL_BASE_SHA": "after", "PULL_REFS": "main:after",
	}
	if diff := cmp.Diff(wantParams, params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if spec.Type != "postsubmit" || spec.Job != "publish" || spec.Refs.BaseSHA != "after" || len(spec.Refs.Pulls) != 0 {
		t.Errorf("JOB_SPEC = %+v, want a postsubmit of publish at after without pulls", spec)
	}
}

func TestPipelineRunSkipReport(t *testing.T) {
	job := jobNamed(t, testJobs(t).Presubmits["org/repo"], "quiet")
	pr, err := PipelineRun(job, prEvent, "ci")
	if err != nil {
		t.Fatalf("PipelineRun: %v", err)
	}
	if got := pr.Annotations[run.AnnotationSkipReport]; got != "true" {
		t.Errorf("skip-report annotation = %q, want true", got)
	}
	if pr.Spec.PipelineSpec == nil || len(pr.Spec.PipelineSpec.Tasks) != 1 {
		t.Errorf("pod spec job: PipelineSpec = %+v, want one task", pr.Spec.PipelineSpec)
	}
}

func TestPipelineRunMaxConcurrencyStartsPending(t *testing.T) {
	unit := jobNamed(t, testJobs(t).Presubmits["org/repo"], "unit")
	free, err := PipelineRun(unit, prEvent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if free.Spec.Status != "" || free.Annotations[run.AnnotationMaxConcurrency] != "" {
		t.Errorf("job without max_concurrency: status %q, annotation %q; want it to start at once", free.Spec.Status, free.Annotations[run.AnnotationMaxConcurrency])
	}
	limited := *unit
	limited.MaxConcurrency = 2
	pr, err := PipelineRun(&limited, prEvent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Spec.Status != pipelinev1.PipelineRunSpecStatusPending {
		t.Errorf("spec.status = %q, want %q", pr.Spec.Status, pipelinev1.PipelineRunSpecStatusPending)
	}
	if got := pr.Annotations[run.AnnotationMaxConcurrency]; got != "2" {
		t.Errorf("max-concurrency annotation = %q, want 2", got)
	}
	if unit.RunSpec().Status != "" {
		t.Errorf("the shared job's spec became %q", unit.RunSpec().Status)
	}
}

func TestPipelineRunDoesNotChangeTheJob(t *testing.T) {
	job := jobNamed(t, testJobs(t).Presubmits["org/repo"], "unit")
	before := len(job.RunSpec().Params)
	for _, ev := range []event.Event{prEvent, pushEvent} {
		if _, err := PipelineRun(job, ev, "ci"); err != nil {
			t.Fatal(err)
		}
	}
	if after := len(job.RunSpec().Params); after != before {
		t.Errorf("job spec params went from %d to %d: PipelineRun wrote to the shared job", before, after)
	}
	if _, ok := job.Labels[run.LabelManaged]; ok {
		t.Errorf("job labels gained %s: PipelineRun wrote to the shared job", run.LabelManaged)
	}
}

func TestPipelineRunLongValuesAreValidLabels(t *testing.T) {
	job := jobNamed(t, testJobs(t).Presubmits["org/repo"], "unit")
	ev := prEvent
	ev.Repo.FullName = "group/" + strings.Repeat("sub/", 20) + "repo"
	ev.HeadSHA = strings.Repeat("0123456789abcdef", 4)
	pr, err := PipelineRun(job, ev, "ci")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{run.LabelRepo, run.LabelSHA, run.LabelJob} {
		if errs := validation.IsValidLabelValue(pr.Labels[k]); len(errs) > 0 {
			t.Errorf("label %s = %q: %v", k, pr.Labels[k], errs)
		}
	}
	if got := pr.Annotations[run.AnnotationSHA]; got != ev.HeadSHA {
		t.Errorf("sha annotation = %q, want the full %q", got, ev.HeadSHA)
	}
	if got := pr.Annotations[run.AnnotationRepo]; got != ev.Repo.FullName {
		t.Errorf("repo annotation = %q, want the full %q", got, ev.Repo.FullName)
	}
}

func TestPipelineRunBadTemplate(t *testing.T) {
	cfg, err := triggers.Parse([]byte(`
presubmits:
  org/repo:
  - name: broken
    pipeline_run_spec: {pipelineRef: {name: build}}
    pipeline_run_params: [{name: x, value_template: "{{ .PULL_NUMBER"}]
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := PipelineRun(cfg.Presubmits["org/repo"][0], prEvent, "ci")
	if err == nil || !strings.Contains(err.Error(), "pipeline_run_params x") {
		t.Errorf("PipelineRun() error = %v, want one naming pipeline_run_params x", err)
	}
	if pr != nil {
		t.Errorf("PipelineRun() = %v with an error, want nil", pr.Name)
	}
}
