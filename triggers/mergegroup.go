package triggers

import (
	"github.com/fresnel-ci/fresnel/pkg/event"
)

// selectForMergeGroup picks what a merge queue waits for: the presubmits
// a branch protection built from this configuration would require of the
// group's commit, as Prow's branch protector derives them. Those are the
// jobs that can run on the base branch and report a context that is not
// optional: always_run jobs, and jobs whose changed-file rules match the
// group's changes (their context is required when present). A job that
// runs only when asked, an optional job and a skip_report job are left
// out: no protection requires them. A group that is gone starts nothing.
func (c *Config) selectForMergeGroup(ev event.Event, in Inputs) (Selection, error) {
	jobs := c.Presubmits[ev.Repo.FullName]
	if ev.Action != event.ActionChecksRequested {
		return skipAll(jobs, "the merge group is gone"), nil
	}
	return c.selectPresubmits(ev, in, requiredByProtection)
}

// requiredByProtection wants the jobs whose context a branch protection
// requires; a conditional job still goes through its changed-file rules.
func requiredByProtection(j *Job) (bool, bool, bool, string) {
	switch {
	case j.Optional:
		return false, false, false, "optional: a merge queue does not wait for it"
	case j.SkipReport:
		return false, false, false, "skip_report: it reports no context a merge queue could wait for"
	case j.needsExplicitTrigger():
		return false, false, false, "runs only when asked: no branch protection requires it of a merge group"
	}
	return true, false, false, ""
}
