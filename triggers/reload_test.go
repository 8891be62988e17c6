package triggers

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestReloadSharesWhatDidNotChange: a second Check of unchanged files
// gives the same jobs, the presets merged into them included, in a
// Config of its own; a changed file, or a changed preset, is read anew.
func TestReloadSharesWhatDidNotChange(t *testing.T) {
	dir := t.TempDir()
	config, jobs := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "jobs")
	writeFile(t, config, "presets:\n- labels: {p: \"true\"}\n  env: [{name: FROM_PRESET, value: one}]\n")
	job := func(name string) string {
		return "presubmits:\n  o/r:\n  - name: " + name + "\n    labels: {p: \"true\"}\n    " + okSpec + "\n"
	}
	writeFile(t, filepath.Join(jobs, "a.yaml"), job("a"))
	writeFile(t, filepath.Join(jobs, "b.yaml"), job("b"))
	first := mustCheck(t, config, jobs)
	second := mustCheck(t, config, jobs)
	for i := range 2 {
		if a, b := first.Presubmits["o/r"][i], second.Presubmits["o/r"][i]; a != b {
			t.Errorf("job %s: reload of an unchanged file made a new Job", a.Name)
		}
	}
	if &first.Presubmits["o/r"][0] == &second.Presubmits["o/r"][0] {
		t.Error("reload shares the list of jobs of the Config in use")
	}
	writeFile(t, filepath.Join(jobs, "b.yaml"), job("c"))
	third := mustCheck(t, config, jobs)
	if third.Presubmits["o/r"][0] != first.Presubmits["o/r"][0] {
		t.Error("job a: reload made a new Job though only b.yaml changed")
	}
	if diff := cmp.Diff([]string{"a", "c"}, jobNames(third.Presubmits["o/r"])); diff != "" {
		t.Errorf("jobs after b.yaml changed (-want +got):\n%s", diff)
	}
	writeFile(t, config, "presets:\n- labels: {p: \"true\"}\n  env: [{name: FROM_PRESET, value: two}]\n")
	fourth := mustCheck(t, config, jobs)
	for _, j := range fourth.Presubmits["o/r"] {
		env := j.Spec.Containers[0].Env
		if !slices.Contains(env, corev1.EnvVar{Name: "FROM_PRESET", Value: "two"}) {
			t.Errorf("job %s: env %v lacks the changed preset's value", j.Name, env)
		}
	}
}

func mustCheck(t *testing.T, config, jobs string) *Config {
	t.Helper()
	cfg, problems := Check(config, jobs)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	return cfg
}
