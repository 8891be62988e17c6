package triggers

import (
	"fmt"
	"regexp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

var (
	testAllRe        = regexp.MustCompile(`(?m)^/test all,?($|\s.*)`)
	retestRe         = regexp.MustCompile(`(?m)^/retest\s*$`)
	retestRequiredRe = regexp.MustCompile(`(?m)^/retest-required\s*$`)
)

// selectForComment applies the comment commands as Prow's trigger does:
// /test NAME forces the jobs whose trigger matches; /test all runs what an
// update of the pull request would; /retest reruns the jobs whose context
// failed, /retest-required only the required ones.
func (c *Config) selectForComment(ev event.Event, in Inputs) (Selection, error) {
	jobs := c.Presubmits[ev.Repo.FullName]
	if ev.Comment == nil || ev.Action != event.ActionCreated {
		return skipAll(jobs, "only new comments carry commands"), nil
	}
	body := ev.Comment.Body
	testAll := testAllRe.MatchString(body)
	retest := retestRe.MatchString(body)
	retestRequired := retestRequiredRe.MatchString(body)
	var failed map[string]bool
	if retest || retestRequired {
		var err error
		if failed, err = in.FailedContexts(); err != nil {
			return Selection{}, fmt.Errorf("triggers: failed contexts: %w", err)
		}
	}
	return c.selectPresubmits(ev, in, func(j *Job) (bool, string, error) {
		switch {
		case j.trigger != nil && j.trigger.MatchString(body):
			return true, "", nil
		case (retest || retestRequired && !j.Optional) && failed[j.Context]:
			return true, "", nil
		case testAll && j.AlwaysRun:
			return true, "", nil
		case testAll:
			return j.matchesChanges(in.ChangedFiles, "not triggered by /test all: it has neither always_run nor changed-file rules")
		}
		return false, "the comment does not trigger it: " + j.RerunCommand, nil
	})
}

var anyTestCommand = regexp.MustCompile(`(?m)^/(test|retest)`)

// HasTestCommand reports whether a comment could start jobs, so callers
// can skip API reads for comments that cannot.
func HasTestCommand(body string) bool { return anyTestCommand.MatchString(body) }
