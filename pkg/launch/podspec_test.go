package launch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/triggers"
)

const podJobsYAML = `
presubmits:
  org/repo:
  - name: plain
    spec:
      containers:
      - name: test
        image: golang:1.22
        command: [make, test]
        env: [{name: JOB_NAME, value: mine}]
  - name: decorated
    decorate: true
    path_alias: k8s.io/repo
    clone_depth: 5
    decoration_config: {timeout: 2h, grace_period: 15s}
    extra_refs:
    - {org: org, repo: tools, base_ref: main, clone_uri: "https://git.example.com/org/tools.git"}
    spec:
      volumes: [{name: cache, emptyDir: {}}]
      containers:
      - name: build
        image: golang:1.22
        command: [make]
        volumeMounts: [{name: cache, mountPath: /cache}]
      - name: lint
        image: golang:1.22
        command: [make, lint]
        workingDir: /elsewhere
  - name: clone-here
    decorate: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
  - name: no-clone
    decorate: true
    decoration_config: {skip_cloning: true}
    spec: {containers: [{image: alpine, command: ["true"]}]}
postsubmits:
  org/repo:
  - name: push
    spec: {containers: [{image: alpine, command: ["true"]}]}
periodics:
- name: nightly
  interval: 24h
  decorate: true
  extra_refs:
  - {org: org, repo: tools, base_ref: main, workdir: true}
  - {org: org, repo: docs, base_ref: main}
  spec: {containers: [{image: alpine, command: ["true"]}]}
`

func podJob(t *testing.T, kind triggers.JobType, name string) *triggers.Job {
	t.Helper()
	cfg, err := triggers.Parse([]byte(podJobsYAML), "config.yaml")
	if err != nil {
		t.Fatalf("triggers.Parse: %v", err)
	}
	switch kind {
	case triggers.Presubmit:
		return jobNamed(t, cfg.Presubmits["org/repo"], name)
	case triggers.Postsubmit:
		return jobNamed(t, cfg.Postsubmits["org/repo"], name)
	}
	return jobNamed(t, cfg.Periodics, name)
}

// buildValid builds the job's run and has Tekton validate it.
func buildValid(t *testing.T, job *triggers.Job, ev event.Event) *pipelinev1.PipelineRun {
	t.Helper()
	pr, err := Build(job, ev, Options{Namespace: "ci", CloneImage: "git:test"})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if ferr := pr.Validate(context.Background()); ferr != nil {
		t.Fatalf("Tekton rejects the run: %v", ferr)
	}
	return pr
}

func steps(pr *pipelinev1.PipelineRun) []pipelinev1.Step {
	return pr.Spec.PipelineSpec.Tasks[0].TaskSpec.Steps
}

func envOf(s pipelinev1.Step) map[string]string {
	m := map[string]string{}
	for _, e := range s.Env {
		if _, dup := m[e.Name]; !dup { // the first wins, as the step reads it
			m[e.Name] = e.Value
		}
	}
	return m
}

func TestPodSpecStepEnvironment(t *testing.T) {
	periodic := event.Event{Provider: "github", Instance: "public", Delivery: "tick-1"}
	pr := prEvent
	pr.Title, pr.HeadRef = "Fix the widget", "feature"
	tests := []struct {
		name       string
		job        *triggers.Job
		ev         event.Event
		want       map[string]string
		wantAbsent []string
	}{
		{name: "presubmit: the pull request's variables; they replace the container's own JOB_NAME, as in Prow",
			job: podJob(t, triggers.Presubmit, "plain"), ev: pr,
			want: map[string]string{
				"CI": "true", "JOB_NAME": "plain", "JOB_TYPE": "presubmit",
				"REPO_OWNER": "org", "REPO_NAME": "repo", "SRC_HOST": "github.com", "SRC_BASE": "org/repo",
				"PULL_BASE_REF": "main", "PULL_BASE_SHA": "b4se", "PULL_REFS": "main:b4se,7:he4d",
				"PULL_NUMBER": "7", "PULL_PULL_SHA": "he4d", "PULL_HEAD_REF": "feature", "PULL_TITLE": "Fix the widget",
			},
			wantAbsent: []string{"ARTIFACTS", "GOPATH", "REPO_URL"}},
		{name: "postsubmit: the refs, no pull request",
			job: podJob(t, triggers.Postsubmit, "push"), ev: pushEvent,
			want: map[string]string{
				"CI": "true", "JOB_NAME": "push", "JOB_TYPE": "postsubmit", "REPO_OWNER": "org", "REPO_NAME": "repo",
				"PULL_BASE_REF": "main", "PULL_BASE_SHA": "after", "PULL_REFS": "main:after",
			},
			wantAbsent: []string{"PULL_NUMBER", "PULL_PULL_SHA", "PULL_HEAD_REF", "PULL_TITLE"}},
		{name: "periodic: the job only; decorated, so ARTIFACTS and GOPATH",
			job: podJob(t, triggers.Periodic, "nightly"), ev: periodic,
			want: map[string]string{
				"CI": "true", "JOB_NAME": "nightly", "JOB_TYPE": "periodic",
				"ARTIFACTS": "/logs/artifacts", "GOPATH": "/home/prow/go",
			},
			wantAbsent: []string{"REPO_OWNER", "REPO_NAME", "PULL_BASE_REF", "PULL_BASE_SHA", "PULL_REFS", "PULL_NUMBER"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := buildValid(t, tc.job, tc.ev)
			last := steps(run)[len(steps(run))-1]
			env := envOf(last)
			for k, v := range tc.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
			for _, k := range tc.wantAbsent {
				if _, ok := env[k]; ok {
					t.Errorf("%s is set (%q); Prow does not set it for this job", k, env[k])
				}
			}
			for _, k := range []string{"BUILD_ID", "BUILD_NUMBER", "PROW_JOB_ID"} {
				if env[k] != run.Name {
					t.Errorf("%s = %q, want the run's name %q", k, env[k], run.Name)
				}
			}
			if names := envNames(last); len(names) != len(env) {
				t.Errorf("a variable is set twice: %v", names)
			}
			var spec map[string]any
			if err := json.Unmarshal([]byte(env["JOB_SPEC"]), &spec); err != nil || spec["job"] != tc.job.Name {
				t.Errorf("JOB_SPEC %q: %v, want the job %s", env["JOB_SPEC"], err, tc.job.Name)
			}
		})
	}
}

func envNames(s pipelinev1.Step) []string {
	names := make([]string, 0, len(s.Env))
	for _, e := range s.Env {
		names = append(names, e.Name)
	}
	return names
}

func TestDecoratedPresubmit(t *testing.T) {
	job := podJob(t, triggers.Presubmit, "decorated")
	run := buildValid(t, job, prEvent)
	ss := steps(run)
	if got := []string{ss[0].Name, ss[1].Name, ss[2].Name}; !cmp.Equal(got, []string{"clonerefs", "build", "lint"}) || len(ss) != 3 {
		t.Fatalf("steps = %v, want clonerefs, build, lint", stepNames(ss))
	}
	clone := ss[0]
	t.Run("the clone step clones the event's refs, then extra_refs", func(t *testing.T) {
		if clone.Image != "git:test" {
			t.Errorf("clone image = %q, want the configured git:test", clone.Image)
		}
		for _, want := range []string{
			"'https://github.com/org/repo.git'", "'b4se'", "'refs/pull/7/head'", "'he4d'", "--depth 5",
			"'/home/prow/go/src/k8s.io/repo'", "'https://git.example.com/org/tools.git'", "'/home/prow/go/src/git.example.com/org/tools'",
		} {
			if !strings.Contains(clone.Script, want) {
				t.Errorf("clone script lacks %s:\n%s", want, clone.Script)
			}
		}
		if strings.Index(clone.Script, "k8s.io/repo") > strings.Index(clone.Script, "org/tools") {
			t.Errorf("extra_refs are cloned before the job's repository:\n%s", clone.Script)
		}
	})
	t.Run("every step mounts the code and artifacts; job steps start in the repository", func(t *testing.T) {
		for i, s := range ss {
			mounts := map[string]string{}
			for _, m := range s.VolumeMounts {
				mounts[m.MountPath] = m.Name
			}
			if mounts["/home/prow/go"] == "" || (i > 0 && mounts["/logs/artifacts"] == "") {
				t.Errorf("step %s mounts %v, want /home/prow/go and, for a job step, /logs/artifacts", s.Name, mounts)
			}
		}
		if ss[1].VolumeMounts[0].Name != "cache" {
			t.Errorf("build's own mount was lost: %v", ss[1].VolumeMounts)
		}
		if ss[1].WorkingDir != "/home/prow/go/src/k8s.io/repo" {
			t.Errorf("build working dir = %q, want the path alias", ss[1].WorkingDir)
		}
		if ss[2].WorkingDir != "/elsewhere" {
			t.Errorf("lint working dir = %q, want its own /elsewhere", ss[2].WorkingDir)
		}
		if env := envOf(ss[1]); env["ARTIFACTS"] != "/logs/artifacts" || env["GOPATH"] != "/home/prow/go" || env["SRC_HOST"] != "k8s.io" || env["SRC_BASE"] != "repo" {
			t.Errorf("build env ARTIFACTS/GOPATH/SRC_HOST/SRC_BASE = %q/%q/%q/%q", env["ARTIFACTS"], env["GOPATH"], env["SRC_HOST"], env["SRC_BASE"])
		}
	})
	t.Run("the volumes are empty dirs beside the job's own", func(t *testing.T) {
		vols := pr0Volumes(run)
		want := []string{"cache", "fresnel-artifacts", "fresnel-code"}
		var got []string
		for _, v := range vols {
			got = append(got, v.Name)
			if v.Name != "cache" && v.EmptyDir == nil {
				t.Errorf("volume %s is not an emptyDir: %+v", v.Name, v.VolumeSource)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("volumes (-want +got):\n%s", diff)
		}
	})
	t.Run("decoration_config's timeout and grace period", func(t *testing.T) {
		to := run.Spec.Timeouts
		if to == nil || to.Pipeline.Duration != 2*time.Hour+15*time.Second || to.Tasks.Duration != 2*time.Hour {
			t.Errorf("timeouts = %+v, want pipeline 2h0m15s, tasks 2h", to)
		}
	})
	t.Run("JOB_SPEC carries the clone settings and extra_refs", func(t *testing.T) {
		var spec struct {
			Refs      triggers.Refs   `json:"refs"`
			ExtraRefs []triggers.Refs `json:"extra_refs"`
		}
		if err := json.Unmarshal([]byte(envOf(ss[1])["JOB_SPEC"]), &spec); err != nil {
			t.Fatal(err)
		}
		if spec.Refs.PathAlias != "k8s.io/repo" || spec.Refs.CloneDepth != 5 || len(spec.ExtraRefs) != 1 || spec.ExtraRefs[0].Repo != "tools" {
			t.Errorf("JOB_SPEC refs %+v, extra_refs %+v", spec.Refs, spec.ExtraRefs)
		}
	})
	if job.RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps[0].Name != "build" || job.RunSpec().Timeouts != nil {
		t.Errorf("Build changed the shared job's spec")
	}
}

func stepNames(ss []pipelinev1.Step) []string {
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	return names
}

func pr0Volumes(pr *pipelinev1.PipelineRun) []corev1.Volume {
	return pr.Spec.PipelineSpec.Tasks[0].TaskSpec.Volumes
}

// gerritLike is a change whose repository has a clone URL and no web link.
var gerritLike = event.Event{
	Provider: "gerrit", Instance: "review", Delivery: "g-1", Kind: event.KindPullRequest,
	Repo:    event.Repo{Owner: "org", Name: "repo", FullName: "org/repo", CloneURL: "https://review.example.com/a/platform/core"},
	BaseRef: "main", BaseSHA: "b4se", HeadSHA: "he4d", PullRef: "refs/changes/07/7/1", Number: 7,
}

func TestDecoratedCloneSteps(t *testing.T) {
	tests := []struct {
		name, workDir string
		job           *triggers.Job
		ev            event.Event
		wantClone     bool
	}{
		{name: "skip_cloning: no clone step, artifacts only", job: podJob(t, triggers.Presubmit, "no-clone"), ev: prEvent},
		{name: "periodic: its extra_refs, in the one marked workdir", job: podJob(t, triggers.Periodic, "nightly"),
			ev: event.Event{Instance: "public", Delivery: "tick"}, wantClone: true, workDir: "/home/prow/go/src/github.com/org/tools"},
		{name: "not decorated: nothing", job: podJob(t, triggers.Postsubmit, "push"), ev: pushEvent},
		{name: "no web link: the path from the clone URL", job: podJob(t, triggers.Presubmit, "clone-here"), ev: gerritLike,
			wantClone: true, workDir: "/home/prow/go/src/review.example.com/a/platform/core"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ss := steps(buildValid(t, tc.job, tc.ev))
			if got := ss[0].Name == "clonerefs"; got != tc.wantClone {
				t.Fatalf("first step %s; want a clone step: %v", ss[0].Name, tc.wantClone)
			}
			last := ss[len(ss)-1]
			if last.WorkingDir != tc.workDir {
				t.Errorf("working dir = %q, want %q", last.WorkingDir, tc.workDir)
			}
			if tc.wantClone && strings.Contains(ss[0].Script, "'https://github.com/.git'") {
				t.Errorf("a periodic clones the event's missing repository:\n%s", ss[0].Script)
			}
		})
	}
}

func TestDecoratedCloneStepNameTaken(t *testing.T) {
	cfg, err := triggers.Parse([]byte(`
presubmits:
  org/repo:
  - name: clash
    decorate: true
    spec: {containers: [{name: clonerefs, image: alpine, command: ["true"]}]}`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(cfg.Presubmits["org/repo"][0], prEvent, Options{Namespace: "ci"})
	if err == nil || !strings.Contains(err.Error(), `"clonerefs" is taken`) {
		t.Errorf("Build error = %v, want the taken step name", err)
	}
}
