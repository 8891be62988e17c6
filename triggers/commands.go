package triggers

import (
	"fmt"
	"regexp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// The commands Prow's trigger reads, each on a line of its own.
var (
	testAllRe        = regexp.MustCompile(`(?m)^/test all,?($|\s.*)`)
	retestRe         = regexp.MustCompile(`(?m)^/retest\s*$`)
	retestRequiredRe = regexp.MustCompile(`(?m)^/retest-required\s*$`)
	okToTestRe       = regexp.MustCompile(`(?m)^/ok-to-test\s*$`)
)

// commands is what one comment asks for.
type commands struct {
	body                            string
	testAll, retest, retestRequired bool
	help                            bool
	failed                          map[string]bool // context -> latest result failed
}

func parseCommands(body string, honorOkToTest bool) commands {
	return commands{
		body:           body,
		testAll:        testAllRe.MatchString(body) || honorOkToTest && okToTestRe.MatchString(body),
		retest:         retestRe.MatchString(body),
		retestRequired: retestRequiredRe.MatchString(body),
		help:           mayNeedHelp(body),
	}
}

// any reports whether the comment concerns the trigger at all: a command,
// or a line that names a job's trigger.
func (cm commands) any(jobs []*Job) bool {
	if cm.testAll || cm.retest || cm.retestRequired || cm.help || okToTestRe.MatchString(cm.body) {
		return true
	}
	for _, j := range jobs {
		if j.triggeredBy(cm.body) {
			return true
		}
	}
	return false
}

func (j *Job) triggeredBy(body string) bool { return j.trigger != nil && j.trigger.MatchString(body) }

// selectForComment applies the comment commands as Prow's trigger does:
// /test NAME forces the jobs whose trigger matches; /test all and
// /ok-to-test run what an update of the pull request would; /retest reruns
// the jobs whose context failed on the head commit and the ones that
// would run on an update but never reported, /retest-required only the
// required ones of those. A /test that names nothing that can run gets a
// reply listing what can.
func (c *Config) selectForComment(ev event.Event, in Inputs) (Selection, error) {
	jobs := c.Presubmits[ev.Repo.FullName]
	switch {
	case ev.Comment == nil || ev.Action != event.ActionCreated:
		return skipAll(jobs, "only new comments carry commands"), nil
	case ev.Closed:
		return skipAll(jobs, "the pull request is closed: comments on it start nothing"), nil
	}
	cm := parseCommands(ev.Comment.Body, !c.Plugins.TriggerFor(ev.Repo.FullName).IgnoreOkToTest)
	if len(jobs) == 0 || !cm.any(jobs) {
		return skipAll(jobs, "the comment has no command for it"), nil
	}
	if ev.HeadSHA == "" || ev.BaseRef == "" {
		return Selection{}, fmt.Errorf("triggers: comment on %s#%d: the pull request's base branch and head commit are unknown (read the pull request when Config.Triggered says the comment concerns the trigger)", ev.Repo.FullName, ev.Number)
	}
	if cm.retest || cm.retestRequired {
		failed, err := in.FailedContexts()
		if err != nil {
			return Selection{}, fmt.Errorf("triggers: failed contexts: %w", err)
		}
		cm.failed = failed
	}
	sel, err := c.selectPresubmits(ev, in, cm.want)
	if err != nil {
		return sel, err
	}
	return c.answerHelp(sel, ev, in, cm.body)
}

// want is the union of what the comment's commands ask for; the first
// command that wants a job decides how it runs, as in Prow.
func (cm commands) want(j *Job) (bool, bool, bool, string) {
	if j.triggeredBy(cm.body) {
		return true, true, true, ""
	}
	if cm.retest || cm.retestRequired && !j.Optional {
		failed, reported := cm.failed[j.Context]
		if failed || !reported && !j.needsExplicitTrigger() {
			return true, false, failed, ""
		}
	}
	if cm.testAll && !j.needsExplicitTrigger() {
		return true, false, false, ""
	}
	return false, false, false, cm.notWanted(j)
}

func (cm commands) notWanted(j *Job) string {
	switch {
	case cm.retestRequired && !cm.retest && j.Optional:
		return "optional: /retest-required does not rerun it"
	case cm.retest || cm.retestRequired:
		return fmt.Sprintf("its latest result on the head commit did not fail: comment %q to run it again", j.RerunCommand)
	case cm.testAll:
		return fmt.Sprintf("runs only when asked: comment %q", j.RerunCommand)
	}
	return "the comment does not trigger it: " + j.RerunCommand
}

var anyTestCommand = regexp.MustCompile(`(?m)^/(test|retest|ok-to-test)`)

// HasTestCommand reports whether a comment could start jobs, so callers
// can skip API reads for comments that cannot. A job's custom trigger can
// match other text; callers that know the jobs should also ask
// Config.Triggered.
func HasTestCommand(body string) bool { return anyTestCommand.MatchString(body) }

// Triggered reports whether a comment on a pull request of repo concerns
// the trigger: a command, or a line matching some job's trigger.
func (c *Config) Triggered(repo, body string) bool {
	return parseCommands(body, true).any(c.Presubmits[repo])
}
