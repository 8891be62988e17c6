package triggers

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
	"github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
)

// finding is a problem with one job. field is the dotted path of the field
// it is about ("" for the job as a whole); key, when set, is a field name
// to look for anywhere in the job (an unknown field); line, when set, is
// the line itself.
type finding struct {
	severity Severity
	field    string
	key      string
	line     int
	msg      string
}

type findings []finding

func (fs *findings) errorf(field, format string, args ...any) {
	*fs = append(*fs, finding{severity: SeverityError, field: field, msg: fmt.Sprintf(format, args...)})
}

func (fs *findings) warnf(field, format string, args ...any) {
	*fs = append(*fs, finding{severity: SeverityWarning, field: field, msg: fmt.Sprintf(format, args...)})
}

// compile compiles one regular expression field; nil when it is empty.
func (fs *findings) compile(rs regexps, field, expr string) *regexp.Regexp {
	if expr == "" {
		return nil
	}
	re, err := rs.compile(expr)
	if err != nil {
		fs.errorf(field, "%s: %v", field, err)
	}
	return re
}

// compileList compiles a list of alternatives (branches) into one
// expression, checking each on its own so an error names its entry.
func (fs *findings) compileList(rs regexps, field string, exprs []string) *regexp.Regexp {
	var last *regexp.Regexp
	ok := true
	for i, expr := range exprs {
		re, err := rs.compile(expr)
		if err != nil {
			fs.errorf(fmt.Sprintf("%s.%d", field, i), "%s: %v", field, err)
			ok = false
		}
		last = re
	}
	switch {
	case !ok:
		return nil
	case len(exprs) == 1 && exprs[0] != "":
		return last
	}
	return fs.compile(rs, field, strings.Join(exprs, "|"))
}

// trigger compiles a job's trigger. Prow's default one is matched without
// a regular expression (see testCommand).
func (fs *findings) trigger(rs regexps, j *Job) commandMatcher {
	if j.Trigger == defaultTrigger(j.Name) && utf8.ValidString(j.Name) {
		return testCommand{name: j.Name}
	}
	if re := fs.compile(rs, "trigger", j.Trigger); re != nil {
		return re
	}
	return nil
}

// finish applies Prow's defaults, compiles every regular expression,
// checks the schedule and converts the run definition. It returns the
// errors it finds. Expressions are compiled through rs.
func (j *Job) finish(rs regexps) []finding {
	var fs findings
	if j.Name == "" {
		fs.errorf("", "a %s needs a name", j.Type)
	}
	j.branches = fs.compileList(rs, "branches", j.Branches)
	j.skips = fs.compileList(rs, "skip_branches", j.SkipBranches)
	j.changed = fs.compile(rs, "run_if_changed", j.RunIfChanged)
	j.onlySkip = fs.compile(rs, "skip_if_only_changed", j.SkipIfOnlyChanged)
	if j.RunIfChanged != "" && j.SkipIfOnlyChanged != "" {
		fs.errorf("skip_if_only_changed", "run_if_changed and skip_if_only_changed are mutually exclusive")
	}
	if j.Type == Presubmit {
		j.applyPresubmitDefaults()
		j.trigger = fs.trigger(rs, j)
	}
	if j.Type != Periodic && j.Context == "" {
		j.Context = j.Name
	}
	fs.checkSchedule(j)
	fs.checkRun(j)
	fs.checkDecoration(j)
	return fs
}

// checkRun converts the run definition. A job of an agent fresnel does
// not run that has none is left out with a warning rather than an error,
// so that a Prow or Lighthouse file mixing agents still loads.
func (fs *findings) checkRun(j *Job) {
	if j.runField() == "" && !supportedAgents[j.Agent] {
		j.unrunnable = true
		fs.warnf("agent", "agent %q job without pipeline_run_spec, tekton_pipeline_run_spec or spec: left out", j.Agent)
		return
	}
	if err := j.convertRun(); err != nil {
		fs.errorf(j.runField(), "%v", err)
		return
	}
	if spec := j.v1beta1Spec(); spec != nil && len(spec.Resources) > 0 {
		fs.warnf(j.runField()+".resources", "resources: PipelineResources no longer exist in Tekton and are dropped; use workspaces and tasks")
	}
}

// checkSchedule checks cron (five fields, as Prow reads it), interval and
// minimum_interval (Go durations): a periodic needs exactly one, other
// jobs none.
func (fs *findings) checkSchedule(j *Job) {
	set := map[string]string{"cron": j.Cron, "interval": j.Interval, "minimum_interval": j.MinimumInterval}
	var given []string
	for _, field := range []string{"cron", "interval", "minimum_interval"} {
		if set[field] != "" {
			given = append(given, field)
		}
	}
	switch {
	case j.Type != Periodic:
		for _, field := range given {
			fs.errorf(field, "%s applies to periodics only", field)
		}
	case len(given) == 0:
		fs.errorf("", "a periodic needs cron, interval or minimum_interval")
	case len(given) > 1:
		fs.errorf(given[1], "%s are mutually exclusive", strings.Join(given, " and "))
	case given[0] == "cron":
		if _, err := cron.ParseStandard(j.Cron); err != nil {
			fs.errorf("cron", "cron %q: %v", j.Cron, err)
		}
	default:
		if d, err := time.ParseDuration(set[given[0]]); err != nil || d <= 0 {
			fs.errorf(given[0], "%s %q: want a positive Go duration such as 30m or 2h", given[0], set[given[0]])
		}
	}
}

// v1beta1Spec is the job's run definition when it is written in Tekton's
// v1beta1 API; nil otherwise.
func (j *Job) v1beta1Spec() *v1beta1.PipelineRunSpec {
	switch {
	case j.PipelineRunSpec != nil:
		return j.PipelineRunSpec
	case j.TektonPipelineRunSpec != nil:
		return j.TektonPipelineRunSpec.V1Beta1
	}
	return nil
}

// runField names the run definition a job sets, for placing its errors.
func (j *Job) runField() string {
	switch {
	case j.Spec != nil:
		return "spec"
	case j.TektonPipelineRunSpec != nil:
		return "tekton_pipeline_run_spec"
	case j.PipelineRunSpec != nil:
		return "pipeline_run_spec"
	}
	return ""
}

// supportedAgents run as Tekton PipelineRuns; Lighthouse names the Tekton
// agent tekton-pipeline, Prow names it tekton-pipeline too, and kubernetes
// is a pod spec run as a one-task PipelineRun.
var supportedAgents = map[string]bool{"": true, "kubernetes": true, "tekton-pipeline": true}

// lint warns about what a job sets that fresnel does not act on, and about
// rules that keep it from ever running.
func (j *Job) lint() []finding {
	var fs findings
	for _, f := range j.Unsupported.set() {
		fs.warnf(f, "%s is not supported by fresnel and is ignored", f)
	}
	fs.lintDecoration(j)
	if !supportedAgents[j.Agent] && !j.unrunnable {
		fs.warnf("agent", "agent %q is not supported by fresnel: the job runs as a Tekton PipelineRun", j.Agent)
	}
	if j.Cluster != "" && j.Cluster != "default" {
		fs.warnf("cluster", "cluster is not supported by fresnel: runs go to the cluster fresnel runs in")
	}
	if j.Namespace != "" {
		fs.warnf("namespace", "namespace is not supported by fresnel: runs go to the namespace of fresnel.yaml")
	}
	if j.MaxConcurrency < 0 {
		fs.errorf("max_concurrency", "max_concurrency %d: want 0 (no limit) or more", j.MaxConcurrency)
	}
	if j.RunBeforeMerge && !j.AlwaysRun {
		fs.warnf("run_before_merge", "run_before_merge: fresnel has no merge pool to start the job before a merge; it runs when its rules or its trigger say")
	}
	fs.lintReach(j)
	return fs
}

// lintReach warns about a job that can never run, or never when asked.
func (fs *findings) lintReach(j *Job) {
	if j.skips != nil && matchesEverything(j.skips) {
		fs.warnf("skip_branches", "never runs: skip_branches matches every branch")
	}
	if j.Type == Presubmit && j.trigger != nil && !j.trigger.MatchString(j.RerunCommand) {
		fs.warnf("trigger", "trigger %q does not match rerun_command %q: the command offered for reruns would not start the job", j.Trigger, j.RerunCommand)
	}
}

// matchesEverything reports whether an unanchored expression matches
// every string: one that matches the empty string without any anchor or
// word boundary does, at the start of any input.
func matchesEverything(re *regexp.Regexp) bool {
	if !re.MatchString("") {
		return false
	}
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	return err == nil && !hasAssertion(parsed)
}

func hasAssertion(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if hasAssertion(sub) {
			return true
		}
	}
	return false
}

// set lists the fields that are set to something other than a zero value.
func (u *Unsupported) set() []string {
	var names []string
	for _, f := range []struct {
		name  string
		value []byte
	}{
		{"reporter_config", u.ReporterConfig}, {"rerun_auth_config", u.RerunAuthConfig},
		{"hidden", u.Hidden}, {"error_on_eviction", u.ErrorOnEviction}, {"prowjob_defaults", u.ProwJobDefaults},
		{"job_queue_name", u.JobQueueName}, {"require_run", u.RequireRun}, {"jenkins_spec", u.JenkinsSpec},
	} {
		if !isZeroJSON(f.value) {
			names = append(names, f.name)
		}
	}
	return names
}

func isZeroJSON(raw []byte) bool {
	switch strings.TrimSpace(string(raw)) {
	case "", "null", "false", "0", `""`, "{}", "[]":
		return true
	}
	return false
}

// BranchesOverlap reports whether j and other could run for one branch,
// as Prow decides it when it allows a job name twice: jobs without branch
// rules overlap everything; two branches lists overlap when they share an
// entry (compared as written, not as expressions); a branches list
// overlaps a skip_branches-only job when one of its entries, read as a
// branch name, is not skipped; two skip_branches-only jobs always overlap.
func (j *Job) BranchesOverlap(other *Job) bool {
	switch {
	case j.allBranches() || other.allBranches():
		return true
	case len(j.Branches) > 0 && len(other.Branches) > 0:
		return slices.ContainsFunc(j.Branches, func(b string) bool { return slices.Contains(other.Branches, b) })
	case len(j.Branches) > 0:
		return slices.ContainsFunc(j.Branches, func(b string) bool { ok, _ := other.matchesBranch(b); return ok })
	case len(other.Branches) > 0:
		return other.BranchesOverlap(j)
	}
	return true
}

func (j *Job) allBranches() bool { return len(j.Branches) == 0 && len(j.SkipBranches) == 0 }
