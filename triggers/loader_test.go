package triggers

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestBareScalarsWhereStringsAreWanted: Prow's reader writes a bare number
// or boolean as a string where the Go type wants a string; other type
// mismatches stay errors.
func TestBareScalarsWhereStringsAreWanted(t *testing.T) {
	tests := map[string]struct {
		field   string
		wantErr string
		check   func(t *testing.T, j *Job)
	}{
		"env value number": {field: "spec: {containers: [{image: x, command: [\"true\"], env: [{name: N, value: 1}]}]}",
			check: func(t *testing.T, j *Job) { wantEqual(t, j.Spec.Containers[0].Env[0].Value, "1") }},
		"env value boolean": {field: "spec: {containers: [{image: x, command: [\"true\"], env: [{name: N, value: yes}]}]}",
			check: func(t *testing.T, j *Job) { wantEqual(t, j.Spec.Containers[0].Env[0].Value, "true") }},
		"env value float": {field: "spec: {containers: [{image: x, command: [\"true\"], env: [{name: N, value: 1.25}]}]}",
			check: func(t *testing.T, j *Job) { wantEqual(t, j.Spec.Containers[0].Env[0].Value, "1.25") }},
		"label value number": {field: "labels: {tier: 2}\n    " + okSpec,
			check: func(t *testing.T, j *Job) { wantEqual(t, j.Labels["tier"], "2") }},
		"args numbers": {field: "spec: {containers: [{image: x, args: [--n, 3]}]}",
			check: func(t *testing.T, j *Job) { wantEqual(t, strings.Join(j.Spec.Containers[0].Args, " "), "--n 3") }},
		"quantity keeps its own decoding": {field: "spec: {containers: [{image: x, command: [\"true\"], resources: {requests: {cpu: 2}}}]}",
			check: func(t *testing.T, j *Job) { wantEqual(t, j.Spec.Containers[0].Resources.Requests.Cpu().String(), "2") }},
		"string for a number is still an error": {field: "max_concurrency: \"3\"\n    " + okSpec, wantErr: "max_concurrency: want int, not string"},
		"list for a string is still an error":   {field: "run_if_changed: [a]\n    " + okSpec, wantErr: "run_if_changed: want string, not array"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg, problems := check(t, "\npresubmits:\n  o/r:\n  - name: a\n    "+tc.field)
			if tc.wantErr != "" {
				if err := problems.Err(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("problems = %v, want an error with %q", problems, tc.wantErr)
				}
				return
			}
			if err := problems.Err(); err != nil {
				t.Fatal(err)
			}
			tc.check(t, cfg.Presubmits["o/r"][0])
		})
	}
}

func wantEqual(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPresetEnvValueMayBeANumber(t *testing.T) {
	cfg, problems := check(t, `
presets:
- labels: {preset-n: "true"}
  env: [{name: NUM, value: 5000}]
presubmits:
  o/r:
  - name: a
    labels: {preset-n: "true"}
    `+okSpec)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	env := cfg.Presubmits["o/r"][0].Spec.Containers[0].Env
	if !slices.ContainsFunc(env, func(e corev1.EnvVar) bool { return e.Name == "NUM" && e.Value == "5000" }) {
		t.Errorf("env %v has no NUM=5000", env)
	}
}

// TestDuplicateNamesOnDisjointBranches follows Prow: a name may be given
// twice in a repo when the two jobs' branches cannot overlap, and a
// context may be shared only by jobs of one name.
func TestDuplicateNamesOnDisjointBranches(t *testing.T) {
	tests := map[string]struct {
		section, first, second string
		want                   []string
	}{
		"disjoint branches lists": {section: "presubmits", first: "branches: [release-1.33]", second: "branches: [release-1.34]"},
		"branches against a skip list that skips them": {section: "presubmits",
			first: "skip_branches: ['^release-']", second: "branches: [release-1.34]"},
		"same name, same context, disjoint": {section: "presubmits",
			first: "branches: [main]\n    context: ci", second: "branches: [release-1]\n    context: ci"},
		"postsubmits, disjoint": {section: "postsubmits", first: "branches: [main]", second: "branches: [release-1]"},
		"no branch rules overlap everything": {section: "presubmits", first: "branches: [main]", second: "context: other",
			want: []string{`c.yaml:6: error: presubmit "a" is defined twice for o/r (first at c.yaml:3)`}},
		"a shared entry overlaps": {section: "presubmits", first: "branches: [main, dev]", second: "branches: [dev]\n    context: other",
			want: []string{`c.yaml:6: error: presubmit "a" is defined twice for o/r (first at c.yaml:3)`}},
		"a branch the skip list lets through overlaps": {section: "postsubmits",
			first: "skip_branches: ['^release-']", second: "branches: [main]",
			want: []string{`c.yaml:6: error: postsubmit "a" is defined twice for o/r (first at c.yaml:3)`}},
		"two skip lists overlap": {section: "presubmits", first: "skip_branches: [a]", second: "skip_branches: [b]\n    context: other",
			want: []string{`c.yaml:6: error: presubmit "a" is defined twice for o/r (first at c.yaml:3)`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, problems := check(t, "\n"+tc.section+":\n  o/r:\n  - name: a\n    "+okSpec+"\n    "+tc.first+
				"\n  - name: a\n    "+okSpec+"\n    "+tc.second)
			if diff := cmp.Diff(nilIfEmpty(tc.want), nilIfEmpty(problemStrings(problems))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestSharedContextOfTwoNames(t *testing.T) {
	tests := map[string]struct {
		first, second string
		want          []string
	}{
		"on overlapping branches": {first: "branches: [main]", second: "branches: [main]",
			want: []string{`c.yaml:9: error: context "ci" is used twice for o/r (first at c.yaml:3)`}},
		"on disjoint branches": {first: "branches: [main]", second: "branches: [release-1]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, problems := check(t, "\npresubmits:\n  o/r:\n  - name: a\n    "+okSpec+"\n    context: ci\n    "+tc.first+
				"\n  - name: b\n    "+okSpec+"\n    context: ci\n    "+tc.second)
			if diff := cmp.Diff(nilIfEmpty(tc.want), nilIfEmpty(problemStrings(problems))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPeriodicNamesAreUnique(t *testing.T) {
	_, problems := check(t, `
periodics:
- name: p
  interval: 1h
  `+okSpec+`
- name: p
  interval: 2h
  `+okSpec)
	want := []string{`c.yaml:5: error: periodic "p" is defined twice (first at c.yaml:2)`}
	if diff := cmp.Diff(want, problemStrings(problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestFilesReadAtOnceMergeInOrder: Check reads files in parallel; its
// problems and jobs are those of reading the files one by one.
func TestFilesReadAtOnceMergeInOrder(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	writeFile(t, config, "tide: {}\n")
	jobs := filepath.Join(dir, "jobs")
	for i, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		doc := "presubmits:\n  o/r:\n  - name: job\n    branches: [b" + name + "]\n    context: c" + name + "\n    " + okSpec +
			"\n    decorate: true\n    job_queue_name: q\n"
		if i%3 == 0 {
			doc += "  - name: dup\n    " + okSpec + "\n"
		}
		writeFile(t, filepath.Join(jobs, name+".yaml"), doc)
	}
	_, parallel := Check(config, jobs)
	l := newLoader()
	l.readFile(config)
	files, err := yamlFiles(jobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		l.readFile(f)
	}
	_, serial := l.finish()
	if diff := cmp.Diff(problemStrings(serial), problemStrings(parallel)); diff != "" {
		t.Errorf("problems (-one by one +at once):\n%s", diff)
	}
	if errs, _ := parallel.Count(); errs != 2 {
		t.Errorf("errors = %d, want 2 (dup in d.yaml and g.yaml): %v", errs, parallel)
	}
}

// FuzzParse: any document gets a configuration or problems with a file,
// never a panic; a job config that loads is one Check also accepts.
func FuzzParse(f *testing.F) {
	for _, doc := range []string{
		"presubmits:\n  o/r:\n  - name: a\n    " + okSpec + "\n",
		"periodics:\n- name: p\n  interval: 1h\n  " + okSpec + "\n",
		"presets:\n- labels: {a: b}\n  env: [{name: X, value: 1}]\n",
		"base: &b {name: a}\npresubmits:\n  o/r:\n  - <<: *b\n    " + okSpec + "\n",
		"presubmits: [1, 2]\n", "postsubmits:\n  o/r: {a: b}\n", "a: &a [*a]\n", "- 1\n", "presubmits:\n  o/r:\n  - 5\n",
		"presubmits: &a\n  <<: *a\n", "presubmits:\n  o/r:\n  - &a\n    <<: *a\n",
	} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		_, problems := check(t, doc)
		for _, p := range problems {
			if p.File != "c.yaml" || p.Message == "" {
				t.Errorf("problem without a file or a message: %+v", p)
			}
		}
	})
}
