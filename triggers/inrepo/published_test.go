package inrepo_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

// testdata/published/lighthouse is a repository laid out as Lighthouse's
// documentation and Jenkins X's pipeline catalog lay out in-repo jobs,
// written in our own words: .lighthouse/jenkins-x/triggers.yaml naming
// PipelineRun files through source, and a second directory with an
// inline job.

func publishedJobNamed(t *testing.T, jobs []*triggers.Job, name string) *triggers.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q", name)
	return nil
}

func TestPublishedLighthouseInRepo(t *testing.T) {
	cfg, _, err := load(t, "published/lighthouse")
	if err != nil {
		t.Fatalf("the published layout does not load:\n%v", err)
	}
	const triggersFile = ".lighthouse/jenkins-x/triggers.yaml"

	t.Run("jobs, in file order, with their places", func(t *testing.T) {
		var got []string
		for _, j := range append(cfg.Presubmits[repo], cfg.Postsubmits[repo]...) {
			got = append(got, string(j.Type)+" "+j.Name+" "+j.ContextName()+" "+j.Source)
		}
		want := []string{
			"presubmit docs docs .lighthouse/docs/triggers.yaml",
			"presubmit pr pr " + triggersFile,
			"presubmit golint golint " + triggersFile,
			"presubmit image-amd64 image-amd64 " + triggersFile,
			"postsubmit release release " + triggersFile,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("jobs (-want +got):\n%s", diff)
		}
	})

	t.Run("fields as written and Prow's defaults", func(t *testing.T) {
		pr := publishedJobNamed(t, cfg.Presubmits[repo], "pr")
		if !pr.AlwaysRun || pr.Optional || pr.RerunCommand != "/test pr" || pr.Trigger != `(?m)^/test( | .* )pr,?($|\s.*)` {
			t.Errorf("pr: always_run %v optional %v rerun_command %q trigger %q", pr.AlwaysRun, pr.Optional, pr.RerunCommand, pr.Trigger)
		}
		image := publishedJobNamed(t, cfg.Presubmits[repo], "image-amd64")
		if image.AlwaysRun || !image.Optional || image.Trigger != `(?m)^/test( all| image.*),?(\s+|$)` || image.RerunCommand != "/test image-amd64" {
			t.Errorf("image-amd64: %+v", image)
		}
		wantParams := []triggers.PipelineParam{{Name: "TARGET", ValueTemplate: "image"}, {Name: "PLATFORM", ValueTemplate: "linux/amd64"}}
		if diff := cmp.Diff(wantParams, image.PipelineRunParams); diff != "" {
			t.Errorf("image-amd64 pipeline_run_params (-want +got):\n%s", diff)
		}
		golint := publishedJobNamed(t, cfg.Presubmits[repo], "golint")
		if golint.RunIfChanged != `^.*\.(go|mod)$` || len(golint.PipelineRunParams) != 1 || golint.PipelineRunParams[0].ValueTemplate != "lint" {
			t.Errorf("golint: run_if_changed %q params %+v", golint.RunIfChanged, golint.PipelineRunParams)
		}
		release := cfg.Postsubmits[repo][0]
		if !cmp.Equal(release.Branches, []string{"^main$", "^master$"}) || release.Trigger != "" {
			t.Errorf("release: branches %v trigger %q", release.Branches, release.Trigger)
		}
	})

	t.Run("a v1beta1 source file becomes a v1 spec", func(t *testing.T) {
		// Three jobs name the same file; each gets the whole spec.
		for _, name := range []string{"pr", "golint", "image-amd64"} {
			spec := publishedJobNamed(t, cfg.Presubmits[repo], name).RunSpec()
			if spec == nil || spec.PipelineSpec == nil || len(spec.PipelineSpec.Tasks) != 1 {
				t.Fatalf("%s: spec = %+v", name, spec)
			}
			if spec.TaskRunTemplate.ServiceAccountName != "tekton-bot" {
				t.Errorf("%s: serviceAccountName did not move to taskRunTemplate: %+v", name, spec.TaskRunTemplate)
			}
			if spec.Timeouts == nil || spec.Timeouts.Pipeline == nil || spec.Timeouts.Pipeline.Duration.String() != "12h0m0s" {
				t.Errorf("%s: timeout did not move to timeouts.pipeline: %+v", name, spec.Timeouts)
			}
			if len(spec.Params) != 1 || spec.Params[0].Name != "TARGET" || spec.Params[0].Value.StringVal != "test" || len(spec.PipelineSpec.Params) != 2 {
				t.Errorf("%s: params %+v, pipeline params %+v", name, spec.Params, spec.PipelineSpec.Params)
			}
		}
		task := publishedJobNamed(t, cfg.Presubmits[repo], "pr").RunSpec().PipelineSpec.Tasks[0]
		if task.Name != "from-build-pack" || task.TaskSpec == nil || task.TaskSpec.StepTemplate == nil {
			t.Fatalf("task = %+v", task)
		}
		tmpl := task.TaskSpec.StepTemplate
		if cpu := tmpl.ComputeResources.Requests[corev1.ResourceCPU]; cpu.String() != "500m" || tmpl.WorkingDir != "/workspace/source" {
			t.Errorf("stepTemplate: cpu %s workingDir %q", cpu.String(), tmpl.WorkingDir)
		}
		steps := task.TaskSpec.Steps
		if len(steps) != 2 || steps[0].Name != "git-clone" || steps[1].Name != "make" || !strings.Contains(steps[1].Script, `make "$(params.TARGET)"`) {
			t.Fatalf("steps = %+v", steps)
		}
		if env := steps[1].Env; len(env) != 1 || env[0].ValueFrom == nil || env[0].ValueFrom.SecretKeyRef == nil || env[0].ValueFrom.SecretKeyRef.Name != "bot-git" {
			t.Errorf("the secret env var was lost: %+v", env)
		}
	})

	t.Run("a v1 source file and an inline spec", func(t *testing.T) {
		release := cfg.Postsubmits[repo][0].RunSpec()
		if release == nil || release.TaskRunTemplate.ServiceAccountName != "tekton-bot" ||
			release.Timeouts == nil || release.Timeouts.Pipeline.Duration.String() != "2h0m0s" ||
			len(release.PipelineSpec.Tasks) != 1 || len(release.PipelineSpec.Tasks[0].TaskSpec.Steps) != 2 {
			t.Errorf("release spec = %+v", release)
		}
		docs := publishedJobNamed(t, cfg.Presubmits[repo], "docs").RunSpec()
		if docs == nil || docs.PipelineSpec == nil || docs.PipelineSpec.Tasks[0].TaskSpec.Steps[0].Script != "mkdocs build --strict" {
			t.Errorf("docs spec = %+v", docs)
		}
	})

	t.Run("selection", func(t *testing.T) {
		pr := event.Event{Kind: event.KindPullRequest, Action: event.ActionOpened, Repo: event.Repo{FullName: repo}, Number: 3, BaseRef: "main", HeadSHA: sha}
		comment := pr
		comment.Kind, comment.Action = event.KindComment, event.ActionCreated
		push := func(branch string) event.Event {
			return event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: repo}, Ref: "refs/heads/" + branch, BaseRef: branch, HeadSHA: sha, ChangedFiles: []string{"main.go"}}
		}
		tests := []struct {
			name    string
			ev      event.Event
			body    string
			changed []string
			want    []string
		}{
			{name: "PR on main changing Go code", ev: pr, changed: []string{"cmd/widget/main.go"}, want: []string{"golint", "pr"}},
			{name: "PR on main changing docs", ev: pr, changed: []string{"docs/index.md"}, want: []string{"docs", "pr"}},
			{name: "/test image-amd64", ev: comment, body: "/test image-amd64", changed: []string{"docs/index.md"}, want: []string{"image-amd64"}},
			{name: "/test all", ev: comment, body: "/test all", changed: []string{"go.mod"}, want: []string{"golint", "image-amd64", "pr"}},
			{name: "push to main", ev: push("main"), want: []string{"release"}},
			{name: "push to master", ev: push("master"), want: []string{"release"}},
			{name: "push to a feature branch", ev: push("feature"), want: []string{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ev := tc.ev
				if tc.body != "" {
					ev.Comment = &event.Comment{Body: tc.body, Author: "octocat"}
				}
				sel, err := cfg.Select(ev, triggers.Inputs{ChangedFiles: func() ([]string, error) { return tc.changed, nil }})
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, j := range sel.Runs {
					got = append(got, j.Name)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("runs (-want +got):\n%s", diff)
				}
			})
		}
	})
}
