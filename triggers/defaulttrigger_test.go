package triggers

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

var triggerBodies = []string{
	"/test unit", "/test unit\n", "/test unit,", "/test unit,,", "/test unit, e2e", "/test e2e unit", "/test e2e,unit",
	"/test  unit", "/test unit-race", "/test xunit", "/test all", "/test unit\r\n", "/test unit\tnow", "/testunit",
	"please\n/test unit", " /test unit", "/test e2e\n/test unit", "/test e2e\nunit", "/test", "/test ", "/test unit.",
	"/test unit\vx", "/test unit\fx", "/retest unit", "/test foo bar unit baz", "/test a unit,\n", "/test \xffunit",
	"/test unit\xff", "/test pull-kubernetes-e2e-kind", "/test pull-kubernetes-e2e-kind-ipvs",
}

// TestTestCommandMatchesAsProwsDefaultTrigger: testCommand stands in for
// the regular expression Prow gives a job without a trigger, so it must
// answer as that expression does.
func TestTestCommandMatchesAsProwsDefaultTrigger(t *testing.T) {
	for _, name := range []string{"unit", "pull-kubernetes-e2e-kind", "a.b+c", "e2e"} {
		re := regexp.MustCompile(defaultTrigger(name))
		for _, body := range triggerBodies {
			if got, want := (testCommand{name: name}).MatchString(body), re.MatchString(body); got != want {
				t.Errorf("name %q, comment %q: match %v, Prow's expression %v", name, body, got, want)
			}
		}
	}
}

func FuzzTestCommand(f *testing.F) {
	for _, body := range triggerBodies {
		f.Add("unit", body)
	}
	f.Add("a.b", "/test a.b, x")
	f.Fuzz(func(t *testing.T, name, body string) {
		if name == "" || !utf8.ValidString(name) {
			return // no job has it: Prow's expression for it does not compile
		}
		re := regexp.MustCompile(defaultTrigger(name))
		if got, want := (testCommand{name: name}).MatchString(body), re.MatchString(body); got != want {
			t.Errorf("name %q, comment %q: match %v, Prow's expression %v", name, body, got, want)
		}
	})
}

func TestDefaultTriggerIsNotCompiled(t *testing.T) {
	cfg := mustParse(t, `
presubmits:
  o/r:
  - name: unit
    `+okSpec+`
  - name: custom
    trigger: (?m)^/run custom
    rerun_command: /run custom
    `+okSpec)
	for _, j := range cfg.Presubmits["o/r"] {
		_, isRegexp := j.trigger.(*regexp.Regexp)
		if want := j.Name == "custom"; isRegexp != want {
			t.Errorf("job %s: trigger is a compiled expression: %v, want %v", j.Name, isRegexp, want)
		}
	}
}
