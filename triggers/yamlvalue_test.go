package triggers

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestPlainScalarsFollowYAML11 compares the values built from yaml.v3
// nodes with those sigs.k8s.io/yaml (Prow's reader) gives for the same
// document, after a JSON round trip both go through.
func TestPlainScalarsFollowYAML11(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want any
	}{
		"yes is true":              {doc: "v: yes", want: true},
		"Off is false":             {doc: "v: Off", want: false},
		"quoted yes is a string":   {doc: `v: "yes"`, want: "yes"},
		"tilde is null":            {doc: "v: ~", want: nil},
		"empty is null":            {doc: "v:", want: nil},
		"leading zero is octal":    {doc: "v: 010", want: int64(8)},
		"hex":                      {doc: "v: 0x1F", want: int64(31)},
		"underscores":              {doc: "v: 1_000", want: int64(1000)},
		"float":                    {doc: "v: 1.5", want: 1.5},
		"exponent":                 {doc: "v: 1e3", want: 1000.0},
		"version is a string":      {doc: "v: 1.2.3", want: "1.2.3"},
		"timestamp is a string":    {doc: "v: 2001-12-14", want: "2001-12-14"},
		"tagged str":               {doc: "v: !!str 12", want: "12"},
		"block scalar":             {doc: "v: |\n  12\n", want: "12\n"},
		"negative":                 {doc: "v: -7", want: int64(-7)},
		"word starting with digit": {doc: "v: 8080/tcp", want: "8080/tcp"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			root, err := parseNodes([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			got, err := nodeValue(root, aliasBudget(len(tc.doc)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"v": tc.want}, got); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
			var prow map[string]any
			if err := sigsyaml.Unmarshal([]byte(tc.doc), &prow); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(prow, jsonRoundTrip(t, got)); diff != "" {
				t.Errorf("differs from sigs.k8s.io/yaml (-prow +ours):\n%s", diff)
			}
		})
	}
}

func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	raw, err := sigsyaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := sigsyaml.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMergeKeysAndAliases(t *testing.T) {
	doc := `
base: &base {a: 1, b: 2}
other: &other {b: 3, c: 4}
job:
  <<: [*base, *other]
  a: 9
before:
  a: 9
  <<: *base
copy: *base
`
	root, err := parseNodes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, err := nodeValue(root, aliasBudget(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"base":  map[string]any{"a": int64(1), "b": int64(2)},
		"other": map[string]any{"b": int64(3), "c": int64(4)},
		// A key written after the merge wins; of the merged ones, the first.
		"job": map[string]any{"a": int64(9), "b": int64(2), "c": int64(4)},
		// As Prow's reader: a key written before the merge loses.
		"before": map[string]any{"a": int64(1), "b": int64(2)},
		"copy":   map[string]any{"a": int64(1), "b": int64(2)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("value (-want +got):\n%s", diff)
	}
	var prow map[string]any
	if err := sigsyaml.Unmarshal([]byte(doc), &prow); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prow, jsonRoundTrip(t, got)); diff != "" {
		t.Errorf("differs from sigs.k8s.io/yaml (-prow +ours):\n%s", diff)
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// Each level doubles the values of the one before: 2^40 in all.
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x]\n")
	for i := 1; i <= 40; i++ {
		b.WriteString("l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [*l" + strconv.Itoa(i-1) + ", *l" + strconv.Itoa(i-1) + "]\n")
	}
	root, err := parseNodes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodeValue(root, aliasBudget(b.Len())); err == nil {
		t.Fatal("nodeValue expanded 2^40 values without an error")
	}
}

func TestNonFiniteFloats(t *testing.T) {
	for doc, want := range map[string]float64{".inf": math.Inf(1), "-.Inf": math.Inf(-1)} {
		if got := plainValue(doc); got != want {
			t.Errorf("plainValue(%q) = %v, want %v", doc, got, want)
		}
	}
	if got, ok := plainValue(".nan").(float64); !ok || !math.IsNaN(got) {
		t.Errorf("plainValue(.nan) = %v, want NaN", got)
	}
}

// TestAliasBudgetIsPerDocument: many jobs naming one expanding alias share
// one budget, so a file cannot multiply the work by its number of jobs.
func TestAliasBudgetIsPerDocument(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x]\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [*l" + strconv.Itoa(i-1) + ", *l" + strconv.Itoa(i-1) + "]\n")
	}
	b.WriteString("presubmits:\n  o/r:\n")
	for j := range 50 {
		b.WriteString("  - name: a" + strconv.Itoa(j) + "\n    labels: *l30\n    " + okSpec + "\n")
	}
	f := readData([]byte(b.String()), "c.yaml", newRegexps())
	budget := aliasBudget(b.Len())
	spent := func() int {
		n := 0
		for _, p := range f.problems {
			if strings.Contains(p.Message, "aliases expand") {
				n++
			}
		}
		return n
	}
	if got := spent(); got != 50 {
		t.Fatalf("%d of 50 jobs refused for their aliases: %v", got, f.problems)
	}
	// The first job spends the whole budget; each later one fails at once.
	w := newJSONWriter(budget)
	defer w.release()
	root, _ := parseNodes([]byte(b.String()))
	_, jobs := child(root, "presubmits")
	_, list := child(jobs, "o/r")
	for range 2 {
		if err := w.write(list.Content[0], jobType); err == nil {
			t.Fatal("an expanding alias was written")
		}
	}
	if *budget >= 0 {
		t.Errorf("budget left %d after two expansions, want it spent", *budget)
	}
}

func TestAliasCyclesAreErrors(t *testing.T) {
	tests := map[string]struct{ doc, want string }{
		"a section merging itself": {doc: "presubmits: &a\n  <<: *a\n",
			want: `c.yaml:2: error: alias "a" refers to a value that contains it`},
		"a job list in itself": {doc: "presubmits:\n  o/r: &a\n  - <<: *a\n",
			want: `c.yaml:3: error: alias "a" refers to a value that contains it`},
		"a job merging itself": {doc: "presubmits:\n  o/r:\n  - &a\n    <<: *a\n    name: x\n",
			want: `c.yaml:4: error: alias "a" refers to a value that contains it`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, problems := check(t, tc.doc)
			if diff := cmp.Diff([]string{tc.want}, problemStrings(problems)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMergesOfMergesAreBounded: mappings merged twice at every level make
// 2^40 paths; looking up keys visits each mapping once, and building the
// job's value stops at the document's budget.
func TestMergesOfMergesAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("m0: &m0 {x: 1}\n")
	for i := 1; i <= 40; i++ {
		b.WriteString("m" + strconv.Itoa(i) + ": &m" + strconv.Itoa(i) + " {<<: [*m" + strconv.Itoa(i-1) + ", *m" + strconv.Itoa(i-1) + "]}\n")
	}
	b.WriteString("presubmits:\n  <<: *m40\n  o/r:\n  - <<: *m40\n    name: a\n    " + okSpec + "\n")
	_, problems := check(t, b.String())
	want := []string{
		"c.yaml:1: error: presubmits of x must be a list of jobs",
		`c.yaml:45: error: presubmit "a" of o/r: aliases expand to too many values`,
	}
	if diff := cmp.Diff(want, problemStrings(problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
