package triggers

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// Inputs are what selection may need beyond the event, read only when a
// job's rules ask for them.
type Inputs struct {
	// ChangedFiles lists the files a pull request changes, or a push whose
	// payload does not list them.
	ChangedFiles func() ([]string, error)
	// FailedContexts lists the contexts whose latest run on the head SHA
	// did not succeed (for /retest).
	FailedContexts func() (map[string]bool, error)
}

// Selection is which jobs an event runs and why each other job does not.
type Selection struct {
	Runs    []*Job
	Skipped []Skip
}

// Skip names a job that does not run and says why.
type Skip struct {
	Job    string `json:"job"`
	Reason string `json:"reason"`
}

// presubmitActions are the pull request actions that run presubmits.
var presubmitActions = map[event.Action]bool{
	event.ActionOpened:         true,
	event.ActionReopened:       true,
	event.ActionSynchronize:    true,
	event.ActionReadyForReview: true,
}

// Select decides which jobs ev runs.
func (c *Config) Select(ev event.Event, in Inputs) (Selection, error) {
	in = in.memoized()
	var sel Selection
	var err error
	switch {
	case ev.Kind == event.KindPullRequest && presubmitActions[ev.Action] && ev.Draft && c.Plugins.TriggerFor(ev.Repo.FullName).SkipDraftPR:
		sel = skipAll(c.Presubmits[ev.Repo.FullName], "draft pull request: the trigger plugin's skip_draft_pr is set; marking it ready for review, or /test, starts jobs")
	case ev.Kind == event.KindPullRequest && presubmitActions[ev.Action]:
		sel, err = c.selectPresubmits(ev, in, nil)
	case ev.Kind == event.KindPullRequest:
		sel = skipAll(c.Presubmits[ev.Repo.FullName], fmt.Sprintf("pull request action %q starts no jobs", ev.Action))
	case ev.Kind == event.KindComment:
		sel, err = c.selectForComment(ev, in)
	case ev.Kind == event.KindPush:
		sel, err = c.selectPostsubmits(ev, in)
	}
	sel.sort()
	return sel, err
}

// decide says whether one job runs; reason explains a no.
type decide func(j *Job) (run bool, reason string, err error)

func (c *Config) selectPresubmits(ev event.Event, in Inputs, force decide) (Selection, error) {
	var sel Selection
	for _, j := range c.Presubmits[ev.Repo.FullName] {
		run, reason, err := j.shouldRunPresubmit(ev, in, force)
		if err != nil {
			return sel, err
		}
		sel.add(j, run, reason)
	}
	return sel, nil
}

// shouldRunPresubmit follows Prow: the branch must match; then a forced
// job runs, an always_run job runs, and otherwise the changed-file rules
// decide; a job with none of these waits for its /test command.
func (j *Job) shouldRunPresubmit(ev event.Event, in Inputs, force decide) (bool, string, error) {
	if ok, why := j.matchesBranch(ev.BaseRef); !ok {
		return false, why, nil
	}
	if force != nil {
		return force(j)
	}
	if j.AlwaysRun {
		return true, "", nil
	}
	return j.matchesChanges(in.ChangedFiles, fmt.Sprintf("runs only when asked: comment %q", j.RerunCommand))
}

func (j *Job) matchesBranch(branch string) (bool, string) {
	if j.skips != nil && j.skips.MatchString(branch) {
		return false, fmt.Sprintf("branch %q matches skip_branches", branch)
	}
	if j.branches != nil && !j.branches.MatchString(branch) {
		return false, fmt.Sprintf("branch %q does not match branches", branch)
	}
	return true, ""
}

// matchesChanges applies run_if_changed and skip_if_only_changed. A job
// with neither does not run, and gets noRule as the reason. When the files
// cannot be known (a new branch on an SCM whose pushes name none), the job
// runs.
func (j *Job) matchesChanges(changes func() ([]string, error), noRule string) (bool, string, error) {
	if j.changed == nil && j.onlySkip == nil {
		return false, noRule, nil
	}
	files, err := changes()
	if errors.Is(err, event.ErrFilesUnknown) {
		return true, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("triggers: changed files for %s: %w", j.Name, err)
	}
	if j.changed != nil {
		for _, f := range files {
			if j.changed.MatchString(f) {
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("no changed file matches run_if_changed %q", j.RunIfChanged), nil
	}
	for _, f := range files {
		if !j.onlySkip.MatchString(f) {
			return true, "", nil
		}
	}
	return false, fmt.Sprintf("every changed file matches skip_if_only_changed %q", j.SkipIfOnlyChanged), nil
}

func (c *Config) selectPostsubmits(ev event.Event, in Inputs) (Selection, error) {
	jobs := c.Postsubmits[ev.Repo.FullName]
	if ev.Deleted {
		return skipAll(jobs, "the push deleted "+ev.Ref), nil
	}
	var sel Selection
	files := func() ([]string, error) { return ev.ChangedFiles, nil }
	if ev.FilesUnlisted {
		files = in.ChangedFiles
	}
	for _, j := range jobs {
		run, why, err := j.shouldRunPostsubmit(ev.BaseRef, files)
		if err != nil {
			return sel, err
		}
		sel.add(j, run, why)
	}
	return sel, nil
}

// shouldRunPostsubmit follows Prow: the branch (or tag) must match, and
// changed-file rules, when a job has them, must match too.
func (j *Job) shouldRunPostsubmit(ref string, files func() ([]string, error)) (bool, string, error) {
	if ok, why := j.matchesBranch(ref); !ok || j.AlwaysRun {
		return ok, why, nil
	}
	if j.changed == nil && j.onlySkip == nil {
		return true, "", nil
	}
	return j.matchesChanges(files, "")
}

func skipAll(jobs []*Job, reason string) Selection {
	var sel Selection
	for _, j := range jobs {
		sel.add(j, false, reason)
	}
	return sel
}

func (s *Selection) add(j *Job, run bool, reason string) {
	if run {
		s.Runs = append(s.Runs, j)
		return
	}
	s.Skipped = append(s.Skipped, Skip{Job: j.Name, Reason: reason})
}

func (s *Selection) sort() {
	sort.Slice(s.Runs, func(a, b int) bool { return s.Runs[a].Name < s.Runs[b].Name })
	sort.Slice(s.Skipped, func(a, b int) bool { return s.Skipped[a].Job < s.Skipped[b].Job })
}

// memoized makes each input read at most once per event.
func (in Inputs) memoized() Inputs {
	if in.ChangedFiles == nil {
		in.ChangedFiles = func() ([]string, error) { return nil, nil }
	}
	if in.FailedContexts == nil {
		in.FailedContexts = func() (map[string]bool, error) { return nil, nil }
	}
	return Inputs{
		ChangedFiles:   sync.OnceValues(in.ChangedFiles),
		FailedContexts: sync.OnceValues(in.FailedContexts),
	}
}
