package triggers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, config, wantErr string
	}{
		{"unknown field", `
presubmits:
  o/r:
  - name: a
    alwys_run: true
    spec: {containers: [{image: x, command: ["true"]}]}`, "unknown field"},
		{"bad regex", `
presubmits:
  o/r:
  - name: a
    run_if_changed: "("
    spec: {containers: [{image: x, command: ["true"]}]}`, "run_if_changed"},
		{"no run definition", `
presubmits:
  o/r:
  - name: a`, "exactly one of"},
		{"two run definitions", `
presubmits:
  o/r:
  - name: a
    spec: {containers: [{image: x, command: ["true"]}]}
    tekton_pipeline_run_spec: {v1: {pipelineRef: {name: p}}}`, "exactly one of"},
		{"duplicate names", `
presubmits:
  o/r:
  - name: a
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: a
    context: other
    spec: {containers: [{image: x, command: ["true"]}]}`, "defined twice"},
		{"duplicate contexts", `
presubmits:
  o/r:
  - name: a
    context: ci
    spec: {containers: [{image: x, command: ["true"]}]}
  - name: b
    context: ci
    spec: {containers: [{image: x, command: ["true"]}]}`, "context \"ci\" is used twice"},
		{"container without command", `
presubmits:
  o/r:
  - name: a
    spec: {containers: [{image: x}]}`, "command or args"},
		{"both change rules", `
presubmits:
  o/r:
  - name: a
    run_if_changed: a
    skip_if_only_changed: b
    spec: {containers: [{image: x, command: ["true"]}]}`, "mutually exclusive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.config), "config.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Parse error = %v, want it to mention %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), "config.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestDefaultsAsProw(t *testing.T) {
	cfg := mustParse(t, `
presubmits:
  o/r:
  - name: unit-tests
    spec: {containers: [{image: x, command: ["true"]}]}
`)
	j := cfg.Presubmits["o/r"][0]
	if j.Context != "unit-tests" || j.RerunCommand != "/test unit-tests" {
		t.Fatalf("context %q rerun %q", j.Context, j.RerunCommand)
	}
	for body, want := range map[string]bool{"/test unit-tests": true, "/test unit-tests,": true, "/test foo unit-tests bar": true, "/test unit": false, "/test unit-tests-2": false} {
		if got := j.trigger.MatchString(body); got != want {
			t.Errorf("trigger on %q = %v, want %v", body, got, want)
		}
	}
}

func TestRunDefinitionsConvertToV1(t *testing.T) {
	cfg := mustParse(t, `
presubmits:
  o/r:
  - name: lighthouse
    pipeline_run_spec:
      serviceAccountName: builder
      pipelineRef: {name: build}
      params: [{name: x, value: "1"}]
  - name: prow-v1beta1
    tekton_pipeline_run_spec:
      v1beta1:
        pipelineRef: {name: build}
  - name: prow-v1
    tekton_pipeline_run_spec:
      v1:
        pipelineRef: {name: build}
        taskRunTemplate: {serviceAccountName: robot}
  - name: pod
    spec:
      serviceAccountName: robot
      containers:
      - {name: a, image: alpine, command: [echo, a]}
      - {image: alpine, args: [b]}
`)
	jobs := map[string]*Job{}
	for _, j := range cfg.Presubmits["o/r"] {
		jobs[j.Name] = j
	}
	if spec := jobs["lighthouse"].RunSpec(); spec.PipelineRef.Name != "build" || spec.TaskRunTemplate.ServiceAccountName != "builder" || len(spec.Params) != 1 {
		t.Errorf("lighthouse spec = %+v", spec)
	}
	if spec := jobs["prow-v1beta1"].RunSpec(); spec.PipelineRef == nil || spec.PipelineRef.Name != "build" {
		t.Errorf("prow v1beta1 spec = %+v", spec)
	}
	if spec := jobs["prow-v1"].RunSpec(); spec.TaskRunTemplate.ServiceAccountName != "robot" {
		t.Errorf("prow v1 spec = %+v", spec)
	}
	spec := jobs["pod"].RunSpec()
	steps := spec.PipelineSpec.Tasks[0].TaskSpec.Steps
	if len(steps) != 2 || steps[0].Name != "a" || steps[1].Name != "step-1" || steps[1].Args[0] != "b" || spec.TaskRunTemplate.ServiceAccountName != "robot" {
		t.Errorf("pod spec steps = %+v", steps)
	}
}

func TestLoadMergesJobConfigDirRecursively(t *testing.T) {
	dir := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config.yaml", "tide:\n  queries: []\npresubmits:\n  o/r:\n  - name: a\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n")
	write("jobs/o/r/more.yaml", "presubmits:\n  o/r:\n  - name: b\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n")
	write("jobs/other/x.yml", "postsubmits:\n  o/s:\n  - name: c\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n")
	write("jobs/..data/ignored.yaml", "presubmits:\n  o/r:\n  - name: a\n    spec: {containers: [{image: x, command: [\"true\"]}]}\n")
	cfg, err := Load(filepath.Join(dir, "config.yaml"), filepath.Join(dir, "jobs"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cfg.Presubmits["o/r"]); got != 2 {
		t.Errorf("presubmits of o/r = %d, want 2", got)
	}
	if got := len(cfg.Postsubmits["o/s"]); got != 1 {
		t.Errorf("postsubmits of o/s = %d, want 1", got)
	}
}
