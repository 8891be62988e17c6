package triggers

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func marshalString(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// FuzzJSONString: the loader's string writer decodes back to what
// encoding/json's own encoding decodes to.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "tab\tnl\nret\r", "\x00\x1f", "<&>", "é✓", "bad\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ours, theirs string
		if err := json.Unmarshal(appendJSONString(nil, s), &ours); err != nil {
			t.Fatalf("%q: our JSON does not decode: %v", s, err)
		}
		if err := json.Unmarshal([]byte(marshalString(t, s)), &theirs); err != nil {
			t.Fatal(err)
		}
		if ours != theirs {
			t.Errorf("%q: decodes to %q, encoding/json's to %q", s, ours, theirs)
		}
	})
}

func TestUnknownFieldsAreFoundWhereTheyAre(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want []string
	}{
		"the second of two alike keys": {doc: `
presubmits:
  o/r:
  - name: a
    spec:
      containers:
      - image: x
        command: ["true"]
    image: y`, want: []string{`c.yaml:8: error: presubmit "a" of o/r: unknown field "image"`}},
		"inside a merged mapping": {doc: `
presubmits:
  o/r:
  - &base
    name: a
    ` + okSpec + `
  - <<: *base
    name: b
    alwys_run: true`, want: []string{`c.yaml:8: error: presubmit "b" of o/r: unknown field "alwys_run"`}},
		"map values take any key": {doc: `
presubmits:
  o/r:
  - name: a
    labels: {anything: goes}
    ` + okSpec},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, problems := check(t, tc.doc)
			if diff := cmp.Diff(nilIfEmpty(tc.want), nilIfEmpty(problemStrings(problems))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
