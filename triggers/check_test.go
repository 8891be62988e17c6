package triggers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// check runs the loader over one document, as Check does over files.
func check(t *testing.T, text string) (*Config, Problems) {
	t.Helper()
	l := newLoader()
	l.readData([]byte(strings.TrimPrefix(text, "\n")), "c.yaml")
	return l.finish()
}

func problemStrings(ps Problems) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

const okSpec = `spec: {containers: [{image: x, command: ["true"]}]}`

func TestCheckPlacesProblems(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string
	}{
		{name: "unknown field on its line", config: `
presubmits:
  o/r:
  - name: a
    ` + okSpec + `
    alwys_run: true`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: unknown field "alwys_run"`}},
		{name: "negative max_concurrency", config: `
presubmits:
  o/r:
  - name: a
    ` + okSpec + `
    max_concurrency: -1`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: max_concurrency -1: want 0 (no limit) or more`}},
		{name: "every unknown field, nested ones too", config: `
presubmits:
  o/r:
  - name: a
    spec:
      containers:
      - image: x
        command: ["true"]
        workdir: /src
    trigers: /go`,
			want: []string{
				`c.yaml:8: error: presubmit "a" of o/r: unknown field "workdir"`,
				`c.yaml:9: error: presubmit "a" of o/r: unknown field "trigers"`,
			}},
		{name: "wrong type", config: `
postsubmits:
  o/r:
  - name: a
    ` + okSpec + `
    branches: main`,
			want: []string{`c.yaml:5: error: postsubmit "a" of o/r: branches: want []string, not string`}},
		{name: "bad branch regex on its entry", config: `
presubmits:
  o/r:
  - name: a
    ` + okSpec + `
    skip_branches:
    - ok
    - '*bad'`,
			want: []string{"c.yaml:7: error: presubmit \"a\" of o/r: skip_branches: error parsing regexp: missing argument to repetition operator: `*`"}},
		{name: "duplicate name across the section, with the first place", config: `
presubmits:
  o/r:
  - name: a
    ` + okSpec + `
  - name: a
    context: other
    ` + okSpec,
			want: []string{`c.yaml:5: error: presubmit "a" is defined twice for o/r (first at c.yaml:3)`}},
		{name: "duplicate context on its field", config: `
presubmits:
  o/r:
  - name: a
    context: ci
    ` + okSpec + `
  - name: b
    ` + okSpec + `
    context: ci`,
			want: []string{`c.yaml:8: error: context "ci" is used twice for o/r (first at c.yaml:3)`}},
		{name: "same name in two repos is fine", config: `
presubmits:
  o/r:
  - name: a
    ` + okSpec + `
  o/s:
  - name: a
    ` + okSpec},
		{name: "duplicate key", config: `
periodics:
- name: p
  interval: 1h
  interval: 2h
  ` + okSpec,
			want: []string{`c.yaml:4: error: key "interval" is defined twice (first on line 3)`}},
		{name: "job that is not a mapping", config: `
presubmits:
  o/r:
  - just-a-name`,
			want: []string{`c.yaml:3: error: presubmit of o/r: a job must be a mapping`}},
		{name: "file of the wrong shape", config: `
- name: a`,
			want: []string{`c.yaml:1: error: a configuration file must be a mapping (presubmits:, postsubmits:, periodics:, ...)`}},
		{name: "section of the wrong shape", config: `
presubmits:
- name: a`,
			want: []string{`c.yaml:2: error: presubmits must map org/repo to a list of jobs`}},
		{name: "no name", config: `
periodics:
- cron: "0 * * * *"
  ` + okSpec,
			want: []string{`c.yaml:2: error: periodic: a periodic needs a name`}},
		{name: "schedules", config: `
periodics:
- name: p
  cron: "0 0 * *"
  ` + okSpec + `
- name: q
  interval: -5m
  ` + okSpec + `
- name: r
  cron: "@hourly"
  ` + okSpec + `
presubmits:
  o/r:
  - name: a
    interval: 1h
    ` + okSpec,
			want: []string{
				`c.yaml:3: error: periodic "p": cron "0 0 * *": expected exactly 5 fields, found 4: [0 0 * *]`,
				`c.yaml:6: error: periodic "q": interval "-5m": want a positive Go duration such as 30m or 2h`,
				`c.yaml:14: error: presubmit "a" of o/r: interval applies to periodics only`,
			}},
		{name: "minimum_interval", config: `
periodics:
- name: p
  minimum_interval: 2h
  tags: ["perfDashPrefix: load"]
  ` + okSpec + `
- name: q
  minimum_interval: soon
  ` + okSpec + `
- name: r
  cron: "@hourly"
  minimum_interval: 1h
  ` + okSpec + `
postsubmits:
  o/r:
  - name: a
    minimum_interval: 1h
    ` + okSpec,
			want: []string{
				`c.yaml:7: error: periodic "q": minimum_interval "soon": want a positive Go duration such as 30m or 2h`,
				`c.yaml:11: error: periodic "r": cron and minimum_interval are mutually exclusive`,
				`c.yaml:16: error: postsubmit "a" of o/r: minimum_interval applies to periodics only`,
			}},
		{name: "merge keys and anchors", config: `
presubmits:
  o/r:
  - &base
    name: a
    ` + okSpec + `
  - <<: *base
    name: b
    run_if_changed: '('`,
			want: []string{"c.yaml:8: error: presubmit \"b\" of o/r: run_if_changed: error parsing regexp: missing closing ): `(`"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := check(t, tc.config)
			if tc.want == nil {
				tc.want = []string{}
			}
			if diff := cmp.Diff(tc.want, problemStrings(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckWarns(t *testing.T) {
	tests := []struct {
		name, job string
		want      []string
	}{
		{name: "decoration fresnel honours", job: `
    decorate: true
    extra_refs: [{org: o, repo: tools, base_ref: main, workdir: true}]
    path_alias: example.com/o/r
    clone_depth: 1
    decoration_config: {timeout: 1h, grace_period: 15s, skip_cloning: false}`},
		{name: "decoration fresnel does not implement", job: `
    decorate: true
    extra_refs: [{org: o, repo: tools, base_ref: main, blobless_fetch: true}]
    decoration_config:
      gcs_configuration: {bucket: logs}
      utility_images: {clonerefs: clonerefs:v1}`,
			want: []string{
				`c.yaml:5: warning: presubmit "a" of o/r: extra_refs[0].blobless_fetch is not supported by fresnel and is ignored`,
				`c.yaml:7: warning: presubmit "a" of o/r: decoration_config.gcs_configuration is not supported by fresnel and is ignored`,
				`c.yaml:8: warning: presubmit "a" of o/r: decoration_config.utility_images is not supported by fresnel and is ignored`,
			}},
		{name: "decoration fields without decorate", job: `
    extra_refs: [{org: o, repo: tools, base_ref: main}]
    path_alias: example.com/o/r`,
			want: []string{
				`c.yaml:4: warning: presubmit "a" of o/r: extra_refs has no effect without decorate: true`,
				`c.yaml:5: warning: presubmit "a" of o/r: path_alias has no effect without decorate: true`,
			}},
		{name: "fields of Prow's queues and of Lighthouse", job: `
    job_queue_name: heavy
    require_run: true
    jenkins_spec: {branch_source_job: true}`,
			want: []string{
				`c.yaml:4: warning: presubmit "a" of o/r: job_queue_name is not supported by fresnel and is ignored`,
				`c.yaml:5: warning: presubmit "a" of o/r: require_run is not supported by fresnel and is ignored`,
				`c.yaml:6: warning: presubmit "a" of o/r: jenkins_spec is not supported by fresnel and is ignored`,
			}},
		{name: "zero values ask for nothing", job: `
    decorate: false
    cluster: default
    max_concurrency: 0
    agent: kubernetes`},
		{name: "scheduling fields", job: `
    agent: jenkins
    cluster: gpu
    namespace: ci
    max_concurrency: 1
    run_before_merge: true`,
			want: []string{
				`c.yaml:4: warning: presubmit "a" of o/r: agent "jenkins" is not supported by fresnel: the job runs as a Tekton PipelineRun`,
				`c.yaml:5: warning: presubmit "a" of o/r: cluster is not supported by fresnel: runs go to the cluster fresnel runs in`,
				`c.yaml:6: warning: presubmit "a" of o/r: namespace is not supported by fresnel: runs go to the namespace of fresnel.yaml`,
				`c.yaml:8: warning: presubmit "a" of o/r: run_before_merge: fresnel has no merge pool to start the job before a merge; it runs when its rules or its trigger say`,
			}},
		{name: "run_before_merge on a job that runs anyway", job: `
    always_run: true
    run_before_merge: true`},
		{name: "trigger that misses its rerun command", job: `
    trigger: '(?m)^/go-a$'`,
			want: []string{`c.yaml:4: warning: presubmit "a" of o/r: trigger "(?m)^/go-a$" does not match rerun_command "/test a": the command offered for reruns would not start the job`}},
		{name: "rerun command the default trigger misses", job: `
    rerun_command: /test everything-a`,
			want: []string{`c.yaml:3: warning: presubmit "a" of o/r: trigger "(?m)^/test( | .* )a,?($|\\s.*)" does not match rerun_command "/test everything-a": the command offered for reruns would not start the job`}},
		{name: "custom trigger and rerun command that agree", job: `
    trigger: '(?m)^/go-a$'
    rerun_command: /go-a`},
		{name: "skip_branches that skips every branch", job: `
    skip_branches: [main, 'x*']`,
			want: []string{`c.yaml:4: warning: presubmit "a" of o/r: never runs: skip_branches matches every branch`}},
		{name: "anchored skip_branches skip some", job: `
    skip_branches: ['^$', '\b', '^x*$']`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, ps := check(t, "\npresubmits:\n  o/r:\n  - name: a"+tc.job+"\n    "+okSpec)
			if tc.want == nil {
				tc.want = []string{}
			}
			if diff := cmp.Diff(tc.want, problemStrings(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if cfg == nil || len(cfg.Presubmits["o/r"]) != 1 {
				t.Errorf("warnings must not keep the job from loading; config %+v", cfg)
			}
		})
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	jobs := filepath.Join(dir, "jobs")
	writeFile(t, config, "presubmits:\n  o/r:\n  - name: a\n    decorate: true\n    "+okSpec+"\n")
	writeFile(t, filepath.Join(jobs, "more.yaml"), "postsubmits:\n  o/r:\n  - name: b\n    "+okSpec+"\n    branches: ['[']\n")
	_, err := Load(config, jobs)
	if err == nil {
		t.Fatal("Load accepted a bad regex")
	}
	if want := filepath.Join(jobs, "more.yaml") + ":5: postsubmit \"b\" of o/r: branches"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if strings.Contains(err.Error(), "decorate") {
		t.Errorf("a warning made it into Load's error: %v", err)
	}
	writeFile(t, filepath.Join(jobs, "more.yaml"), "postsubmits: {}\n")
	if _, err := Load(config, jobs); err != nil {
		t.Errorf("Load with warnings only: %v", err)
	}
}

func TestCheckReportsUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	_, ps := Check(filepath.Join(dir, "missing.yaml"), filepath.Join(dir, "no-jobs"))
	want := []string{
		filepath.Join(dir, "missing.yaml") + ": error: cannot read: no such file or directory",
		filepath.Join(dir, "no-jobs") + ": error: cannot read the job-config directory: no such file or directory",
	}
	if diff := cmp.Diff(want, problemStrings(ps)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestCheckSyntaxErrorHasALine(t *testing.T) {
	_, ps := check(t, "\npresubmits:\n  o/r:\n  - name: a\n   always_run: true\n")
	if len(ps) != 1 || ps[0].Line == 0 || ps[0].Severity != SeverityError {
		t.Fatalf("problems = %v, want one error with a line", ps)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestJobOfAnotherAgentWithoutRunDefinitionIsLeftOut(t *testing.T) {
	cfg, ps := check(t, `
postsubmits:
  o/r:
  - name: jenkins-release
    agent: jenkins
    branches: [main]
  - name: tekton-release
    `+okSpec)
	want := []string{`c.yaml:4: warning: postsubmit "jenkins-release" of o/r: agent "jenkins" job without pipeline_run_spec, tekton_pipeline_run_spec or spec: left out`}
	if diff := cmp.Diff(want, problemStrings(ps)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if jobs := cfg.Postsubmits["o/r"]; len(jobs) != 1 || jobs[0].Name != "tekton-release" {
		t.Errorf("postsubmits = %v, want only tekton-release", jobs)
	}
}
