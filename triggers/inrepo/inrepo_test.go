package inrepo_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

const (
	repo = "acme/widgets"
	sha  = "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c"
)

// jobSummary is what a test checks of a loaded job.
type jobSummary struct {
	Type, Name, Context, Source string
	Line                        int
	// Run is the service account and task names of its PipelineRun spec.
	Run string
}

func summarize(cfg *triggers.Config) []jobSummary {
	var out []jobSummary
	for _, byRepo := range []map[string][]*triggers.Job{cfg.Presubmits, cfg.Postsubmits} {
		for r, jobs := range byRepo {
			for _, j := range jobs {
				if r != repo || j.Repo != repo {
					panic("job of " + j.Repo + " under " + r)
				}
				out = append(out, jobSummary{Type: string(j.Type), Name: j.Name, Context: j.ContextName(), Source: j.Source, Line: j.Line, Run: runSummary(j)})
			}
		}
	}
	return out
}

func runSummary(j *triggers.Job) string {
	spec := j.RunSpec()
	if spec == nil {
		return ""
	}
	var parts []string
	if spec.TaskRunTemplate.ServiceAccountName != "" {
		parts = append(parts, "sa="+spec.TaskRunTemplate.ServiceAccountName)
	}
	if spec.PipelineRef != nil {
		parts = append(parts, "ref="+spec.PipelineRef.Name)
	}
	if spec.PipelineSpec != nil {
		for _, task := range spec.PipelineSpec.Tasks {
			parts = append(parts, "task="+task.Name)
		}
	}
	return strings.Join(parts, " ")
}

func load(t *testing.T, dir string) (*triggers.Config, *contentsAPI, error) {
	t.Helper()
	api := newContentsAPI(t, os.DirFS("testdata/"+dir), repo, sha)
	cfg, err := inrepo.NewLoader(10).Load(t.Context(), api.provider(t), inrepo.Commit{Instance: "github/public", Repo: repo, SHA: sha})
	return cfg, api, err
}

func TestLoad(t *testing.T) {
	tests := []struct {
		dir       string
		want      []jobSummary
		wantCalls []string
	}{
		{
			dir: "prow-file",
			want: []jobSummary{
				{Type: "presubmit", Name: "unit", Context: "unit", Source: ".prow.yaml", Line: 8, Run: "task=run"},
				{Type: "presubmit", Name: "docs", Context: "docs", Source: ".prow.yaml", Line: 13, Run: "task=run"},
				{Type: "postsubmit", Name: "publish", Context: "publish", Source: ".prow.yaml", Line: 22, Run: "task=run"},
			},
			wantCalls: []string{"contents/.prow", "contents/.lighthouse", "contents/.prow.yaml"},
		},
		{
			dir: "prow-dir",
			want: []jobSummary{
				{Type: "presubmit", Name: "lint", Context: "lint", Source: ".prow/lint.yaml", Line: 2, Run: "task=run"},
				{Type: "postsubmit", Name: "release", Context: "release", Source: ".prow/sub/release.yml", Line: 2, Run: "task=run"},
			},
			wantCalls: []string{"contents/.prow", "contents/.prow/sub", "contents/.lighthouse", "contents/.prow/lint.yaml", "contents/.prow/sub/release.yml"},
		},
		{
			dir: "lighthouse",
			want: []jobSummary{
				{Type: "presubmit", Name: "pr", Context: "pr", Source: ".lighthouse/jenkins-x/triggers.yaml", Line: 5, Run: "sa=tekton-bot task=from-build-pack"},
				{Type: "presubmit", Name: "lint", Context: "lint", Source: ".lighthouse/jenkins-x/triggers.yaml", Line: 10, Run: "task=lint"},
				{Type: "postsubmit", Name: "release", Context: "release", Source: ".lighthouse/jenkins-x/triggers.yaml", Line: 26, Run: "sa=tekton-bot task=release"},
			},
			wantCalls: []string{
				"contents/.prow", "contents/.lighthouse", "contents/.prow.yaml",
				"contents/.lighthouse/jenkins-x/triggers.yaml",
				"contents/.lighthouse/jenkins-x/pullrequest.yaml",
				"contents/.lighthouse/jenkins-x/release.yaml",
			},
		},
		{
			dir:       "none",
			wantCalls: []string{"contents/.prow", "contents/.lighthouse", "contents/.prow.yaml"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			cfg, api, err := load(t, tc.dir)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want, summarize(cfg)); diff != "" {
				t.Errorf("jobs (-want +got):\n%s", diff)
			}
			var calls []string
			for _, c := range api.Calls() {
				calls = append(calls, strings.TrimPrefix(c, "/repos/"+repo+"/"))
			}
			if diff := cmp.Diff(tc.wantCalls, calls); diff != "" {
				t.Errorf("API calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLighthouseRunDefinition(t *testing.T) {
	cfg, _, err := load(t, "lighthouse")
	if err != nil {
		t.Fatal(err)
	}
	lint := cfg.Presubmits[repo][1]
	if len(lint.PipelineRunParams) != 1 || lint.PipelineRunParams[0].ValueTemplate != "{{ .PULL_NUMBER }}" {
		t.Errorf("lint params = %+v", lint.PipelineRunParams)
	}
	pr := cfg.Presubmits[repo][0].RunSpec()
	if pr.Timeouts == nil || pr.Timeouts.Pipeline.Duration.String() != "30m0s" {
		t.Errorf("the v1beta1 timeout was not carried over: %+v", pr.Timeouts)
	}
	if script := pr.PipelineSpec.Tasks[0].TaskSpec.Steps[0].Script; script != "#!/bin/sh\ngo test ./...\n" {
		t.Errorf("script = %q", script)
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		dir string
		// want are the lines of the error, in order.
		want []string
	}{
		{dir: "invalid-job", want: []string{
			`triggers: .lighthouse/jenkins-x/triggers.yaml:7: presubmit "pr" of acme/widgets: unknown field "bogus_field"`,
		}},
		{dir: "invalid-run", want: []string{
			`triggers: .lighthouse/jenkins-x/pullrequest.yaml:11: presubmit "pr" of acme/widgets: unknown field "scrpit"`,
		}},
		{dir: "missing-source", want: []string{
			`triggers: .lighthouse/jenkins-x/triggers.yaml:7: source "pullrequest.yaml": .lighthouse/jenkins-x/pullrequest.yaml does not exist at this commit`,
		}},
		{dir: "syntax", want: []string{
			`triggers: .lighthouse/ci/triggers.yaml:6: mapping values are not allowed in this context`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			cfg, _, err := load(t, tc.dir)
			if err == nil {
				t.Fatalf("Load gave no error; jobs %+v", summarize(cfg))
			}
			if diff := cmp.Diff(tc.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if cfg == nil || len(summarize(cfg)) != 0 {
				t.Errorf("want an empty configuration beside the problems, got %v", cfg)
			}
		})
	}
}

// The first file read keeps a job name; the later job is left out.
func TestLoadNameTakenByAnotherFile(t *testing.T) {
	cfg, _, err := load(t, "clash")
	want := `triggers: .lighthouse/jenkins-x/triggers.yaml:5: presubmit "e2e": the name is taken by the job at .prow.yaml:5; this one is not used`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
	if got := summarize(cfg); len(got) != 2 || got[1].Source != ".prow.yaml" {
		t.Errorf("jobs = %+v, want unit and e2e of .prow.yaml", got)
	}
}

func TestCache(t *testing.T) {
	api := newContentsAPI(t, os.DirFS("testdata/lighthouse"), repo, sha)
	loader := inrepo.NewLoader(2)
	files := api.provider(t)
	commit := inrepo.Commit{Instance: "github/public", Repo: repo, SHA: sha}
	first, err := loader.Load(t.Context(), files, commit)
	if err != nil {
		t.Fatal(err)
	}
	cold := len(api.Calls())
	second, err := loader.Load(t.Context(), files, commit)
	if err != nil || second != first {
		t.Fatalf("second load: %v, %v; want the cached configuration", second, err)
	}
	if n := len(api.Calls()); n != cold {
		t.Fatalf("a second event on the same commit made %d API calls, want 0", n-cold)
	}

	// The same SHA on another instance is another commit.
	if _, err := loader.Load(t.Context(), files, inrepo.Commit{Instance: "github/enterprise", Repo: repo, SHA: sha}); err != nil {
		t.Fatal(err)
	}
	if n := len(api.Calls()); n != 2*cold {
		t.Fatalf("another instance: %d calls, want %d", n-cold, cold)
	}

	// A failure to read is not kept.
	api.setFail(true)
	other := inrepo.Commit{Instance: "github/public", Repo: repo, SHA: "0000000000000000000000000000000000000002"}
	if _, err := loader.Load(t.Context(), files, other); err == nil {
		t.Fatal("a 500 from the API gave no error")
	}
	before := len(api.Calls())
	if _, err := loader.Load(t.Context(), files, other); err == nil || len(api.Calls()) == before {
		t.Fatalf("after a failed read the next load must ask again (err %v)", err)
	}
}

func TestCacheBound(t *testing.T) {
	api := newContentsAPI(t, os.DirFS("testdata/none"), repo, sha)
	loader := inrepo.NewLoader(2)
	for _, instance := range []string{"a", "b", "c"} {
		if _, err := loader.Load(t.Context(), api.provider(t), inrepo.Commit{Instance: instance, Repo: repo, SHA: sha}); err != nil {
			t.Fatal(err)
		}
	}
	if n := loader.Cached(); n != 2 {
		t.Errorf("cached commits = %d, want 2 (the bound)", n)
	}
}

func TestMerge(t *testing.T) {
	central, err := triggers.Parse([]byte(`
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec: {containers: [{image: busybox, command: ["true"]}]}
  - name: lint
    context: ci/lint
    always_run: true
    spec: {containers: [{image: busybox, command: ["true"]}]}
  other/repo:
  - name: other
    spec: {containers: [{image: busybox, command: ["true"]}]}
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	local, err := triggers.Parse([]byte(`
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
  - name: style
    context: ci/lint
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
  - name: e2e
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
  - name: lint
    branches: [release-1.0]
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
postsubmits:
  acme/widgets:
  - name: unit
    spec: {containers: [{image: alpine, command: ["true"]}]}
`), ".prow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := inrepo.Merge(central, local, repo)
	var names []string
	for _, j := range append(merged.Presubmits[repo], merged.Postsubmits[repo]...) {
		names = append(names, string(j.Type)+"/"+j.Name+"@"+j.Source)
	}
	// The central lint runs on every branch, so an in-repo lint for
	// release-1.0 clashes; had the central one named branches the in-repo
	// one does not, both would stay, as in Prow.
	want := []string{"presubmit/unit@config.yaml", "presubmit/lint@config.yaml", "presubmit/e2e@.prow.yaml", "postsubmit/unit@.prow.yaml"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("merged jobs (-want +got):\n%s", diff)
	}
	wantErr := []string{
		`triggers: .prow.yaml:4: presubmit "unit": a central presubmit has this name; the in-repo job is not used`,
		`triggers: .prow.yaml:7: presubmit "style": a central presubmit has this context; the in-repo job is not used`,
		`triggers: .prow.yaml:14: presubmit "lint": a central presubmit has this name; the in-repo job is not used`,
	}
	if err == nil || !cmp.Equal(wantErr, strings.Split(err.Error(), "\n")) {
		t.Errorf("error = %v\nwant %s", err, strings.Join(wantErr, "\n"))
	}
	var p triggers.Problem
	if !errors.As(err, &p) || p.File != ".prow.yaml" {
		t.Errorf("the error is not made of problems naming the file: %#v", err)
	}
	if len(central.Presubmits[repo]) != 2 || len(merged.Presubmits) != 1 {
		t.Errorf("Merge changed the central configuration, or kept other repos")
	}
}

// In-repo files are read as Prow reads YAML (1.1): optional: yes is true,
// and anchors in prow_ignored reach the jobs.
func TestProwYAMLAsProwReadsIt(t *testing.T) {
	cfg, _, err := load(t, "prow-file")
	if err != nil {
		t.Fatal(err)
	}
	unit, docs := cfg.Presubmits[repo][0], cfg.Presubmits[repo][1]
	if !docs.Optional {
		t.Errorf("optional: yes read as false")
	}
	if steps := unit.RunSpec().PipelineSpec.Tasks[0].TaskSpec.Steps; len(steps) != 1 || steps[0].Image != "golang:1.22" {
		t.Errorf("the anchored container did not reach the job: %+v", steps)
	}
}

// Events that arrive together on one commit share one read.
func TestCacheConcurrentEvents(t *testing.T) {
	api := newContentsAPI(t, os.DirFS("testdata/lighthouse"), repo, sha)
	loader := inrepo.NewLoader(10)
	files := api.provider(t)
	commit := inrepo.Commit{Instance: "github/public", Repo: repo, SHA: sha}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cfg, err := loader.Load(t.Context(), files, commit); err != nil || len(cfg.Presubmits[repo]) != 2 {
				t.Errorf("Load: %v, %v", cfg, err)
			}
		}()
	}
	wg.Wait()
	if n := len(api.Calls()); n != 6 {
		t.Errorf("20 concurrent events made %d API calls, want the 6 of one read", n)
	}
}

// As in Prow, an in-repo job may share a central job's name (and so its
// context) when their branches cannot overlap.
func TestMergeKeepsSameNamesOnOtherBranches(t *testing.T) {
	central, err := triggers.Parse([]byte(`
presubmits:
  acme/widgets:
  - name: unit
    branches: [main]
    always_run: true
    spec: {containers: [{image: busybox, command: ["true"]}]}
`), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	local, err := triggers.Parse([]byte(`
presubmits:
  acme/widgets:
  - name: unit
    branches: [release-1.0]
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
`), ".prow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := inrepo.Merge(central, local, repo)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	var sources []string
	for _, j := range merged.Presubmits[repo] {
		sources = append(sources, j.Name+"@"+j.Source)
	}
	if diff := cmp.Diff([]string{"unit@config.yaml", "unit@.prow.yaml"}, sources); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}
