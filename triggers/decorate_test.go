package triggers

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckDecorationErrors(t *testing.T) {
	tests := []struct {
		name, job string
		want      []string
	}{
		{name: "timeout that is not a duration", job: `
    decorate: true
    decoration_config: {timeout: two hours}`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: decoration_config.timeout "two hours": want a positive Go duration such as 2h or 15s`}},
		{name: "negative grace period", job: `
    decorate: true
    decoration_config: {grace_period: -1s}`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: decoration_config.grace_period "-1s": want a positive Go duration such as 2h or 15s`}},
		{name: "negative clone depth", job: `
    decorate: true
    clone_depth: -1`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: clone_depth -1: want 0 (full history) or more`}},
		{name: "extra ref without a base ref", job: `
    decorate: true
    extra_refs: [{org: o, repo: tools}]`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: extra_refs[0]: org, repo and base_ref are required`}},
		{name: "path alias that leaves GOPATH", job: `
    decorate: true
    path_alias: ../../etc`,
			want: []string{`c.yaml:5: error: presubmit "a" of o/r: path_alias "../../etc": must not leave $GOPATH/src`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := check(t, "\npresubmits:\n  o/r:\n  - name: a"+tc.job+"\n    "+okSpec)
			if diff := cmp.Diff(tc.want, problemStrings(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
