package triggers_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// The fixtures under testdata/published are written after the examples
// Prow and Lighthouse publish in their documentation: the same fields and
// shapes, in our own words. Each must load as those projects' users write
// it, and mean what it means there.

const (
	publishedProw       = "testdata/published/prow"
	publishedLighthouse = "testdata/published/lighthouse"
)

// checkPublished loads a fixture and fails on any error; it returns the
// configuration and its warnings as checkconfig prints them.
func checkPublished(t *testing.T, config, jobDir string) (*triggers.Config, []string) {
	t.Helper()
	cfg, problems := triggers.Check(config, jobDir)
	if err := problems.Err(); err != nil {
		t.Fatalf("the published example does not load:\n%v", err)
	}
	warnings := []string{}
	for _, p := range problems {
		warnings = append(warnings, p.String())
	}
	return cfg, warnings
}

// publishedJob returns the job named name, failing when there is none.
func publishedJob(t *testing.T, jobs []*triggers.Job, name string) *triggers.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q among %v", name, publishedNames(jobs))
	return nil
}

func publishedNames(jobs []*triggers.Job) []string {
	names := []string{}
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	return names
}

// publishedSelect runs Select and returns the names of the jobs it runs.
func publishedSelect(t *testing.T, cfg *triggers.Config, ev event.Event, changed ...string) []string {
	t.Helper()
	in := triggers.Inputs{ChangedFiles: func() ([]string, error) { return changed, nil }}
	sel, err := cfg.Select(ev, in)
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	return publishedNames(sel.Runs)
}

func publishedPR(repo, base string) event.Event {
	return event.Event{Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: event.Repo{FullName: repo},
		Number: 7, BaseRef: base, HeadSHA: "5d41402abc4b2a76b9719d911017c592ae2f7c3a"}
}

func publishedComment(repo, body string) event.Event {
	ev := publishedPR(repo, "main")
	ev.Kind, ev.Action = event.KindComment, event.ActionCreated
	ev.Comment = &event.Comment{Body: body, Author: "octocat"}
	return ev
}

// publishedPush is a push of ref (refs/heads/NAME or refs/tags/NAME).
func publishedPush(repo, ref string, changed ...string) event.Event {
	base := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/tags/")
	return event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: repo}, Ref: ref, BaseRef: base,
		Tag: strings.HasPrefix(ref, "refs/tags/"), HeadSHA: "7d793037a0760186574b0282f2f435e7a1e0c3b5", ChangedFiles: changed}
}

func TestPublishedProwExample(t *testing.T) {
	config := filepath.Join(publishedProw, "config.yaml")
	jobs := filepath.Join(publishedProw, "jobs")
	presubmits := filepath.Join(jobs, "acme", "anvil", "anvil-presubmits.yaml")
	pipelines := filepath.Join(jobs, "acme", "pipelines", "pipelines.yaml")
	cfg, warnings := checkPublished(t, config, jobs)

	// Decorated pod-spec jobs and their extra_refs are honoured and not
	// warned about; build clusters have no counterpart, and extra_refs on
	// a Tekton job are only listed in JOB_SPEC: each is named, on its
	// line, and the jobs still load.
	wantWarnings := []string{
		pipelines + `:11: warning: presubmit "pull-pipelines-tekton-run" of acme/pipelines: cluster is not supported by fresnel: runs go to the cluster fresnel runs in`,
		pipelines + `:46: warning: periodic "ci-pipelines-nightly-release": extra_refs: only pod-spec (spec:) jobs clone them; this job finds them in JOB_SPEC only`,
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	t.Run("jobs from config.yaml and every file of the nested job-config directory", func(t *testing.T) {
		counts := map[string]int{
			"presubmits of acme/anvil":      len(cfg.Presubmits["acme/anvil"]),
			"presubmits of acme/pipelines":  len(cfg.Presubmits["acme/pipelines"]),
			"postsubmits of acme/anvil":     len(cfg.Postsubmits["acme/anvil"]),
			"postsubmits of acme/pipelines": len(cfg.Postsubmits["acme/pipelines"]),
			"periodics":                     len(cfg.Periodics),
			"repos with presubmits":         len(cfg.Presubmits),
		}
		want := map[string]int{
			"presubmits of acme/anvil": 5, "presubmits of acme/pipelines": 2,
			"postsubmits of acme/anvil": 3, "postsubmits of acme/pipelines": 0,
			"periodics": 3, "repos with presubmits": 2,
		}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("job counts (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"ci-anvil-hourly-smoke", "ci-anvil-weekday-report", "ci-pipelines-nightly-release"}, publishedNames(cfg.Periodics)); diff != "" {
			t.Errorf("periodics (-want +got):\n%s", diff)
		}
		if j := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-unit"); j.Source != presubmits || j.Line != 8 || j.Type != triggers.Presubmit || j.Repo != "acme/anvil" {
			t.Errorf("pull-anvil-unit placed at %s:%d as %s of %s", j.Source, j.Line, j.Type, j.Repo)
		}
	})

	t.Run("Prow's defaults and the fields as written", func(t *testing.T) {
		unit := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-unit")
		if unit.Context != "pull-anvil-unit" || unit.RerunCommand != "/test pull-anvil-unit" ||
			unit.Trigger != `(?m)^/test( | .* )pull-anvil-unit,?($|\s.*)` {
			t.Errorf("unit defaults: context %q, rerun_command %q, trigger %q", unit.Context, unit.RerunCommand, unit.Trigger)
		}
		if !unit.AlwaysRun || unit.SkipReport || unit.Optional || len(unit.Branches) != 2 {
			t.Errorf("unit: always_run %v skip_report %v optional %v branches %v", unit.AlwaysRun, unit.SkipReport, unit.Optional, unit.Branches)
		}
		if unit.Labels["team"] != "forge" || unit.Annotations["testgrid-tab-name"] != "unit" || len(unit.Annotations) != 3 {
			t.Errorf("unit labels %v annotations %v", unit.Labels, unit.Annotations)
		}

		build := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-build")
		if build.Context != "ci/anvil-build" || build.RerunCommand != "/test pull-anvil-build" {
			t.Errorf("build: context %q rerun_command %q", build.Context, build.RerunCommand)
		}

		e2e := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-e2e")
		if e2e.Context != "ci/anvil-e2e" || e2e.Trigger != `(?m)^/anvil run e2e( please)?\s*$` || e2e.RerunCommand != "/anvil run e2e please" ||
			!e2e.Optional || !e2e.SkipReport || e2e.AlwaysRun || e2e.MaxConcurrency != 2 {
			t.Errorf("e2e: %+v", e2e)
		}

		push := publishedJob(t, cfg.Postsubmits["acme/anvil"], "post-anvil-push-image")
		if push.Context != "post-anvil-push-image" || push.Trigger != "" || push.RerunCommand != "" || push.MaxConcurrency != 1 ||
			push.Labels["preset-registry-push"] != "true" {
			t.Errorf("postsubmit: context %q trigger %q rerun_command %q max_concurrency %d labels %v",
				push.Context, push.Trigger, push.RerunCommand, push.MaxConcurrency, push.Labels)
		}
		// The preset of config.yaml reaches the job of the job-config dir.
		step := push.RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps[0]
		if len(step.Env) != 1 || step.Env[0].Name != "REGISTRY_AUTH_FILE" || len(step.VolumeMounts) != 1 || step.VolumeMounts[0].MountPath != "/etc/registry" {
			t.Errorf("post-anvil-push-image: preset-registry-push not merged: env %v mounts %v", step.Env, step.VolumeMounts)
		}

		smoke, report := cfg.Periodics[0], cfg.Periodics[1]
		if smoke.Interval != "1h" || smoke.Cron != "" || report.Cron != "10 16 * * 1-5" || report.Interval != "" || smoke.Context != "" {
			t.Errorf("periodic schedules: %q/%q and %q/%q, context %q", smoke.Interval, smoke.Cron, report.Interval, report.Cron, smoke.Context)
		}

		tekton := publishedJob(t, cfg.Presubmits["acme/pipelines"], "pull-pipelines-tekton-run")
		if tekton.Agent != "tekton-pipeline" || tekton.Cluster != "tekton-builds" || tekton.TektonPipelineRunSpec == nil || tekton.TektonPipelineRunSpec.V1Beta1 == nil {
			t.Errorf("tekton job: agent %q cluster %q spec %+v", tekton.Agent, tekton.Cluster, tekton.TektonPipelineRunSpec)
		}
	})

	t.Run("pod specs become one task whose steps are the containers", func(t *testing.T) {
		unit := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-unit").RunSpec()
		if unit == nil || unit.PipelineSpec == nil || len(unit.PipelineSpec.Tasks) != 1 || unit.PipelineSpec.Tasks[0].TaskSpec == nil {
			t.Fatalf("unit run spec = %+v", unit)
		}
		steps := unit.PipelineSpec.Tasks[0].TaskSpec.Steps
		if len(steps) != 1 {
			t.Fatalf("unit steps = %+v", steps)
		}
		step := steps[0]
		if step.Name != "test" || step.Image != "golang:1.22" || !cmp.Equal(step.Command, []string{"go"}) || !cmp.Equal(step.Args, []string{"test", "./..."}) {
			t.Errorf("unit step = %s %s %v %v", step.Name, step.Image, step.Command, step.Args)
		}
		if len(step.Env) != 1 || step.Env[0] != (corev1.EnvVar{Name: "GOFLAGS", Value: "-mod=readonly"}) {
			t.Errorf("unit env = %+v", step.Env)
		}
		if cpu := step.ComputeResources.Requests[corev1.ResourceCPU]; cpu.Cmp(resource.MustParse("2")) != 0 {
			t.Errorf("unit cpu request = %s", cpu.String())
		}
		if mem := step.ComputeResources.Limits[corev1.ResourceMemory]; mem.Cmp(resource.MustParse("4Gi")) != 0 {
			t.Errorf("unit memory limit = %s", mem.String())
		}

		lint := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-lint").RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps
		if len(lint) != 1 || lint[0].Name != "step-0" || lint[0].Command != nil || !cmp.Equal(lint[0].Args, []string{"golangci-lint", "run"}) {
			t.Errorf("a container with args only: steps %+v", lint)
		}

		e2e := publishedJob(t, cfg.Presubmits["acme/anvil"], "pull-anvil-e2e").RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps
		if len(e2e) != 1 || e2e[0].SecurityContext == nil || e2e[0].SecurityContext.Privileged == nil || !*e2e[0].SecurityContext.Privileged {
			t.Errorf("the e2e step lost its security context: %+v", e2e)
		}

		smoke := cfg.Periodics[0].RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps
		if len(smoke) != 1 || !cmp.Equal(smoke[0].Command, []string{"make"}) || !cmp.Equal(smoke[0].Args, []string{"smoke"}) {
			t.Errorf("periodic steps = %+v", smoke)
		}
	})

	t.Run("tekton_pipeline_run_spec v1beta1 becomes a v1 spec", func(t *testing.T) {
		inline := publishedJob(t, cfg.Presubmits["acme/pipelines"], "pull-pipelines-tekton-run").RunSpec()
		if inline == nil || inline.PipelineSpec == nil || inline.PipelineSpec.Description != "Says hello." || len(inline.PipelineSpec.Tasks) != 1 {
			t.Fatalf("inline spec = %+v", inline)
		}
		task := inline.PipelineSpec.Tasks[0]
		if task.Name != "greet" || task.TaskSpec == nil || len(task.TaskSpec.Steps) != 1 ||
			task.TaskSpec.Steps[0].Image != "alpine:3.20" || !strings.Contains(task.TaskSpec.Steps[0].Script, `echo "hello from a pipeline"`) {
			t.Errorf("inline task = %+v", task)
		}
		if len(inline.Workspaces) != 1 || inline.Workspaces[0].Name != "scratch" || inline.Workspaces[0].EmptyDir == nil {
			t.Errorf("inline workspaces = %+v", inline.Workspaces)
		}

		byRef := publishedJob(t, cfg.Presubmits["acme/pipelines"], "pull-pipelines-by-ref").RunSpec()
		if byRef == nil || byRef.PipelineRef == nil || byRef.PipelineRef.Name != "integration-pipeline" ||
			byRef.TaskRunTemplate.ServiceAccountName != "pipeline-runner" ||
			len(byRef.Params) != 1 || byRef.Params[0].Name != "flavour" || byRef.Params[0].Value.StringVal != "full" {
			t.Errorf("by-ref spec = %+v", byRef)
		}

		nightly := cfg.Periodics[2].RunSpec()
		if nightly == nil || nightly.PipelineRef == nil || nightly.PipelineRef.Name != "nightly-release-pipeline" {
			t.Errorf("nightly spec = %+v", nightly)
		}
	})

	t.Run("selection", func(t *testing.T) {
		tests := []struct {
			name    string
			ev      event.Event
			changed []string
			want    []string
		}{
			{"PR on main changing Go code", publishedPR("acme/anvil", "main"), []string{"pkg/anvil/strike.go"},
				[]string{"pull-anvil-build", "pull-anvil-lint", "pull-anvil-unit"}},
			{"PR on main changing docs only", publishedPR("acme/anvil", "main"), []string{"docs/guide.md", "README.md"},
				[]string{"pull-anvil-lint", "pull-anvil-unit"}},
			{"PR on main changing a C header", publishedPR("acme/anvil", "main"), []string{"native/hash.h", "docs/native.md"},
				[]string{"pull-anvil-build", "pull-anvil-compile-native", "pull-anvil-lint", "pull-anvil-unit"}},
			{"PR on a release branch", publishedPR("acme/anvil", "release-1.4"), []string{"pkg/anvil/strike.go"},
				[]string{"pull-anvil-build", "pull-anvil-unit"}},
			{"PR on a feature branch", publishedPR("acme/anvil", "feature/sparks"), []string{"Makefile"},
				[]string{"pull-anvil-build", "pull-anvil-compile-native", "pull-anvil-lint"}},
			{"PR to the Tekton repo", publishedPR("acme/pipelines", "main"), []string{"pipelines/build.yaml"},
				[]string{"pull-pipelines-by-ref", "pull-pipelines-tekton-run"}},
			{"the custom trigger", publishedComment("acme/anvil", "/anvil run e2e please"), nil,
				[]string{"pull-anvil-e2e"}},
			{"a custom trigger replaces /test NAME", publishedComment("acme/anvil", "/test pull-anvil-e2e"), nil,
				[]string{}},
			{"/test NAME of a conditional job", publishedComment("acme/anvil", "/test pull-anvil-compile-native"), nil,
				[]string{"pull-anvil-compile-native"}},
			{"push to main changing docs", publishedPush("acme/anvil", "refs/heads/main", "docs/index.md"), nil,
				[]string{"post-anvil-publish-docs", "post-anvil-push-image"}},
			{"push to main changing code", publishedPush("acme/anvil", "refs/heads/main", "pkg/anvil/strike.go"), nil,
				[]string{"post-anvil-push-image"}},
			{"push to a release branch", publishedPush("acme/anvil", "refs/heads/release-1.4", "pkg/anvil/strike.go"), nil,
				[]string{}},
			{"push of a release tag", publishedPush("acme/anvil", "refs/tags/v1.4.0", "pkg/anvil/strike.go"), nil,
				[]string{"post-anvil-release"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, publishedSelect(t, cfg, tc.ev, tc.changed...)); diff != "" {
					t.Errorf("runs (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestPublishedLighthouseExample(t *testing.T) {
	cfg, warnings := checkPublished(t, filepath.Join(publishedLighthouse, "config.yaml"), "")
	// agent: tekton-pipeline is what fresnel runs; only the guide's
	// PipelineResources, gone from Tekton, are dropped, and said so.
	want := []string{
		`testdata/published/lighthouse/config.yaml:100: warning: postsubmit "hello" of acme/hello: resources: PipelineResources no longer exist in Tekton and are dropped; use workspaces and tasks`,
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	t.Run("jobs", func(t *testing.T) {
		if got := publishedNames(cfg.Presubmits["acme/hello"]); !cmp.Equal(got, []string{"pr-build", "lint", "integration"}) {
			t.Errorf("presubmits of acme/hello = %v", got)
		}
		if got := publishedNames(cfg.Postsubmits["acme/hello"]); !cmp.Equal(got, []string{"hello"}) {
			t.Errorf("postsubmits of acme/hello = %v", got)
		}
		if len(cfg.Presubmits) != 1 || len(cfg.Postsubmits) != 1 || len(cfg.Periodics) != 1 || cfg.Periodics[0].Cron != "0 4 * * *" {
			t.Errorf("repos %d/%d, periodics %v", len(cfg.Presubmits), len(cfg.Postsubmits), publishedNames(cfg.Periodics))
		}
		for _, j := range append(append(cfg.Presubmits["acme/hello"], cfg.Postsubmits["acme/hello"]...), cfg.Periodics...) {
			if j.Agent != "tekton-pipeline" || j.PipelineRunSpec == nil {
				t.Errorf("%s: agent %q, pipeline_run_spec %v", j.Name, j.Agent, j.PipelineRunSpec != nil)
			}
		}
	})

	t.Run("defaults and the fields as written", func(t *testing.T) {
		pr := publishedJob(t, cfg.Presubmits["acme/hello"], "pr-build")
		if pr.Context != "pr-build" || pr.RerunCommand != "/test pr-build" || pr.Trigger != `(?m)^/test( | .* )pr-build,?($|\s.*)` || !pr.AlwaysRun || pr.Optional {
			t.Errorf("pr-build: %+v", pr)
		}
		wantParams := []triggers.PipelineParam{
			{Name: "PR_NUMBER", ValueTemplate: "{{ .PULL_NUMBER }}"},
			{Name: "REVISION", ValueTemplate: "{{ .PULL_PULL_SHA }}"},
		}
		if diff := cmp.Diff(wantParams, pr.PipelineRunParams); diff != "" {
			t.Errorf("pipeline_run_params (-want +got):\n%s", diff)
		}
		integration := publishedJob(t, cfg.Presubmits["acme/hello"], "integration")
		if integration.Trigger != `(?m)^/test( all| integration),?(\s+|$)` || integration.RerunCommand != "/test integration" {
			t.Errorf("integration: trigger %q rerun_command %q", integration.Trigger, integration.RerunCommand)
		}
		hello := cfg.Postsubmits["acme/hello"][0]
		if hello.Context != "hello" || !cmp.Equal(hello.Branches, []string{"master"}) {
			t.Errorf("hello: context %q branches %v", hello.Context, hello.Branches)
		}
	})

	t.Run("pipeline_run_spec v1beta1 becomes a v1 spec", func(t *testing.T) {
		pr := publishedJob(t, cfg.Presubmits["acme/hello"], "pr-build").RunSpec()
		if pr == nil || pr.PipelineSpec == nil || len(pr.PipelineSpec.Params) != 2 || len(pr.PipelineSpec.Tasks) != 1 {
			t.Fatalf("pr-build spec = %+v", pr)
		}
		if pr.TaskRunTemplate.ServiceAccountName != "hello-builder" {
			t.Errorf("serviceAccountName did not move to taskRunTemplate: %+v", pr.TaskRunTemplate)
		}
		if pr.Timeouts == nil || pr.Timeouts.Pipeline == nil || pr.Timeouts.Pipeline.Duration.String() != "1h0m0s" {
			t.Errorf("timeout did not move to timeouts.pipeline: %+v", pr.Timeouts)
		}
		task := pr.PipelineSpec.Tasks[0]
		if task.Name != "unit" || len(task.Params) != 1 || task.Params[0].Value.StringVal != "$(params.REVISION)" ||
			task.TaskSpec == nil || len(task.TaskSpec.Steps) != 1 || task.TaskSpec.Steps[0].WorkingDir != "/workspace/source" ||
			!strings.Contains(task.TaskSpec.Steps[0].Script, "go test ./...") {
			t.Errorf("pr-build task = %+v", task)
		}

		lint := publishedJob(t, cfg.Presubmits["acme/hello"], "lint").RunSpec()
		if lint == nil || lint.PipelineRef == nil || lint.PipelineRef.Name != "golangci-lint" {
			t.Errorf("lint spec = %+v", lint)
		}

		hello := cfg.Postsubmits["acme/hello"][0].RunSpec()
		if hello == nil || hello.PipelineRef == nil || hello.PipelineRef.Name != "hello-build" || hello.TaskRunTemplate.ServiceAccountName != "hello-builder" {
			t.Fatalf("hello spec = %+v", hello)
		}
		if len(hello.Workspaces) != 1 || hello.Workspaces[0].PersistentVolumeClaim == nil || hello.Workspaces[0].PersistentVolumeClaim.ClaimName != "hello-source" {
			t.Errorf("hello workspaces = %+v", hello.Workspaces)
		}
		if pt := hello.TaskRunTemplate.PodTemplate; pt == nil || len(pt.Volumes) != 1 || pt.Volumes[0].PersistentVolumeClaim == nil ||
			pt.Volumes[0].PersistentVolumeClaim.ClaimName != "hello-cache" {
			t.Errorf("podTemplate did not move to taskRunTemplate: %+v", pt)
		}
	})

	t.Run("selection", func(t *testing.T) {
		tests := []struct {
			name    string
			ev      event.Event
			changed []string
			want    []string
		}{
			{"PR on main changing Go code", publishedPR("acme/hello", "main"), []string{"main.go"}, []string{"lint", "pr-build"}},
			{"PR on main changing the readme", publishedPR("acme/hello", "main"), []string{"README.md"}, []string{"pr-build"}},
			{"/test integration", publishedComment("acme/hello", "/test integration"), []string{"README.md"}, []string{"integration"}},
			{"/test all also matches the integration trigger", publishedComment("acme/hello", "/test all"), []string{"main.go"},
				[]string{"integration", "lint", "pr-build"}},
			{"push to master", publishedPush("acme/hello", "refs/heads/master", "main.go"), nil, []string{"hello"}},
			{"push to main", publishedPush("acme/hello", "refs/heads/main", "main.go"), nil, []string{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, publishedSelect(t, cfg, tc.ev, tc.changed...)); diff != "" {
					t.Errorf("runs (-want +got):\n%s", diff)
				}
			})
		}
	})
}
