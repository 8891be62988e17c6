package triggers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stepOf returns the env names, mount paths and task volume names of a
// pod-spec job's one step.
func stepOf(t *testing.T, j *Job) (env, mounts, volumes []string) {
	t.Helper()
	task := j.RunSpec().PipelineSpec.Tasks[0].TaskSpec
	for _, e := range task.Steps[0].Env {
		env = append(env, e.Name+"="+e.Value)
	}
	for _, m := range task.Steps[0].VolumeMounts {
		mounts = append(mounts, m.Name+":"+m.MountPath)
	}
	for _, v := range task.Volumes {
		volumes = append(volumes, v.Name)
	}
	return env, mounts, volumes
}

func TestPresetsMergeIntoMatchingPodSpecJobsAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "config.yaml"), `
presets:
- labels: {preset-gcp: "true"}
  env: [{name: GOOGLE_APPLICATION_CREDENTIALS, value: /etc/gcp/key.json}]
  volumes: [{name: gcp, secret: {secretName: gcp-key}}]
  volumeMounts: [{name: gcp, mountPath: /etc/gcp, readOnly: true}]
- env: [{name: CI, value: "true"}]
`)
	writeTestFile(t, filepath.Join(dir, "jobs", "o", "r.yaml"), `
presubmits:
  o/r:
  - name: e2e
    always_run: true
    labels: {preset-gcp: "true"}
    spec: {containers: [{image: x, command: [make, e2e], env: [{name: A, value: "1"}]}]}
  - name: unit
    always_run: true
    labels: {preset-gcp: "false"}
    spec: {containers: [{image: x, command: [make, unit]}]}
`)
	cfg, problems := Check(filepath.Join(dir, "config.yaml"), filepath.Join(dir, "jobs"))
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	e2e, unit := cfg.Presubmits["o/r"][0], cfg.Presubmits["o/r"][1]
	env, mounts, volumes := stepOf(t, e2e)
	if diff := cmp.Diff([]string{"A=1", "GOOGLE_APPLICATION_CREDENTIALS=/etc/gcp/key.json", "CI=true"}, env); diff != "" {
		t.Errorf("e2e env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"gcp:/etc/gcp"}, mounts); diff != "" {
		t.Errorf("e2e mounts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"gcp"}, volumes); diff != "" {
		t.Errorf("e2e volumes (-want +got):\n%s", diff)
	}
	env, mounts, volumes = stepOf(t, unit)
	if diff := cmp.Diff([]string{"CI=true"}, env); diff != "" || mounts != nil || volumes != nil {
		t.Errorf("unit: a label with another value must get only the label-less preset; env %v mounts %v volumes %v", env, mounts, volumes)
	}
}

func TestPresetConflictIsAnErrorOnTheJob(t *testing.T) {
	_, ps := check(t, `
presets:
- labels: {preset-ci: "true"}
  env: [{name: CI, value: "true"}]
presubmits:
  o/r:
  - name: a
    labels: {preset-ci: "true"}
    spec: {containers: [{name: main, image: x, command: ["true"], env: [{name: CI, value: "1"}]}]}
`)
	want := []string{`c.yaml:6: error: presubmit "a" of o/r: preset at c.yaml:2: env "CI" is already set in container "main"`}
	if diff := cmp.Diff(want, problemStrings(ps)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestPresetsAreStrict(t *testing.T) {
	_, ps := check(t, `
presets:
- labels: {preset-ci: "true"}
  envs: [{name: CI, value: "true"}]
`)
	if got := problemStrings(ps); len(got) != 1 || !strings.HasPrefix(got[0], "c.yaml:2: error: presets must be") || !strings.Contains(got[0], "envs") {
		t.Errorf("problems = %v, want one error on line 2 about presets", got)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
