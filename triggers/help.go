package triggers

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// The comments Prow answers with the list of /test commands instead of
// starting jobs.
var (
	testHelpRe      = regexp.MustCompile(`(?m)^/test[ \t]*\?\s*$`)
	emptyTestRe     = regexp.MustCompile(`(?m)^/test\s*$`)
	retestTargetRe  = regexp.MustCompile(`(?m)^/retest[ \t]+\S+`)
	testAnyTargetRe = regexp.MustCompile(`(?m)^/test[ \t]+\S+`)
)

func mayNeedHelp(body string) bool {
	return testHelpRe.MatchString(body) || emptyTestRe.MatchString(body) ||
		retestTargetRe.MatchString(body) || testAnyTargetRe.MatchString(body)
}

// helpNote says why a comment gets the list of commands instead of runs;
// ok is false when it should not get it.
func helpNote(body string, runs int) (note string, ok bool) {
	switch {
	case testHelpRe.MatchString(body):
		return "", true
	case emptyTestRe.MatchString(body):
		return "`/test` needs the name of a job, or `all`.", true
	case retestTargetRe.MatchString(body):
		return "`/retest` takes no job names: it reruns the jobs that failed.", true
	case runs == 0 && testAllRe.MatchString(body):
		return "`/test all` has no job to run on this pull request.", true
	case runs == 0 && testAnyTargetRe.MatchString(body):
		return "No job here answers to that `/test`.", true
	}
	return "", false
}

// answerHelp replaces the runs of a comment that asks for help, or names
// nothing that can run, with a reply listing the commands that can.
func (c *Config) answerHelp(sel Selection, ev event.Event, in Inputs, body string) (Selection, error) {
	note, ok := helpNote(body, len(sel.Runs))
	if !ok {
		return sel, nil
	}
	reply, err := c.helpReply(ev, in, note)
	if err != nil {
		return sel, err
	}
	sel = sel.refuseAll("the comment is answered with the list of /test commands instead")
	sel.Reply = reply
	return sel, nil
}

// helpReply lists the commands of the jobs that can run on the pull
// request's base branch, required first, and what /test all would run.
func (c *Config) helpReply(ev event.Event, in Inputs, note string) (string, error) {
	var required, optional, auto []string
	jobs := c.Presubmits[ev.Repo.FullName]
	for _, j := range jobs {
		if ok, _ := j.matchesBranch(ev.BaseRef); !ok {
			continue
		}
		if answersSomeCommand(j, jobs) && j.Optional {
			optional = append(optional, j.RerunCommand)
		} else if answersSomeCommand(j, jobs) {
			required = append(required, j.RerunCommand)
		}
		run, _, err := j.shouldRunPresubmit(ev.BaseRef, in.ChangedFiles, false, false)
		if err != nil {
			return "", err
		}
		if run {
			auto = append(auto, j.Name)
		}
	}
	if len(required)+len(optional)+len(auto) == 0 {
		return fmt.Sprintf("No presubmit job can run on %s at branch %s.", ev.Repo.FullName, ev.BaseRef), nil
	}
	return helpText(note, required, optional, auto), nil
}

// answersSomeCommand reports whether some job's rerun command triggers j.
func answersSomeCommand(j *Job, jobs []*Job) bool {
	for _, other := range jobs {
		if j.triggeredBy(other.RerunCommand) {
			return true
		}
	}
	return false
}

func helpText(note string, required, optional, auto []string) string {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		sort.Strings(items)
		b.WriteString(title + "\n")
		for _, it := range items {
			fmt.Fprintf(&b, "* `%s`\n", it)
		}
		b.WriteString("\n")
	}
	list("Required jobs, by command:", required)
	list("Optional jobs, by command:", optional)
	switch {
	case len(auto) == len(required)+len(optional):
		b.WriteString("`/test all` runs every one of them.\n")
	case len(auto) > 0:
		list("`/test all` runs the jobs that start on their own here:", auto)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
