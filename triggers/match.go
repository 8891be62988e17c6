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
	// FailedContexts maps each context that has reported on the pull
	// request's head commit to whether its latest result there failed
	// (for /retest). A context missing from the map never reported.
	FailedContexts func() (map[string]bool, error)
}

// Selection is which jobs an event runs and why each other job does not.
type Selection struct {
	Runs    []*Job
	Skipped []Skip
	// Reply is a comment to post on the pull request in answer to the
	// event (the jobs a /test may name, say); empty for none. Posting it
	// is the caller's business.
	Reply string
}

// Skip names a job that does not run and says why.
type Skip struct {
	Job    string `json:"job"`
	Reason string `json:"reason"`
}

// Select decides which jobs ev runs, as Prow's trigger plugin would if
// everyone involved were trusted: who may start jobs is checked elsewhere.
func (c *Config) Select(ev event.Event, in Inputs) (Selection, error) {
	in = in.memoized()
	var sel Selection
	var err error
	switch ev.Kind {
	case event.KindPullRequest:
		sel, err = c.selectForPullRequest(ev, in)
	case event.KindComment:
		sel, err = c.selectForComment(ev, in)
	case event.KindPush:
		sel, err = c.selectPostsubmits(ev, in)
	case event.KindMergeGroup:
		sel, err = c.selectForMergeGroup(ev, in)
	}
	if err == nil && ev.Kind != event.KindPush && ev.Unmergeable {
		sel = sel.refuseAll("the pull request cannot merge (conflicts with its base branch): nothing starts until it can")
	}
	sel.sort()
	return sel, err
}

// filter says whether a job is wanted, and how: forced jobs run whatever
// their changed-file rules say, and defaults is the answer when a job has
// no such rules. A job that is not wanted gets reason.
type filter func(j *Job) (wanted, forced, defaults bool, reason string)

// testAll wants what an update of the pull request runs: every job that
// does not wait for an explicit /test.
func testAll(j *Job) (bool, bool, bool, string) {
	if j.needsExplicitTrigger() {
		return false, false, false, fmt.Sprintf("runs only when asked: comment %q", j.RerunCommand)
	}
	return true, false, false, ""
}

func (c *Config) selectPresubmits(ev event.Event, in Inputs, want filter) (Selection, error) {
	var sel Selection
	for _, j := range c.Presubmits[ev.Repo.FullName] {
		wanted, forced, defaults, reason := want(j)
		if !wanted {
			sel.add(j, false, reason)
			continue
		}
		run, reason, err := j.shouldRunPresubmit(ev.BaseRef, in.ChangedFiles, forced, defaults)
		if err != nil {
			return sel, err
		}
		sel.add(j, run, reason)
	}
	return sel, nil
}

// needsExplicitTrigger reports whether a presubmit runs only when a
// comment names it: it has neither always_run nor changed-file rules.
func (j *Job) needsExplicitTrigger() bool {
	return !j.AlwaysRun && !j.hasChangeRules()
}

func (j *Job) hasChangeRules() bool { return j.changed != nil || j.onlySkip != nil }

// shouldRunPresubmit follows Prow: the branch must match; then an
// always_run or forced job runs, and otherwise the changed-file rules
// decide, with defaults as the answer for a job without any.
func (j *Job) shouldRunPresubmit(branch string, changes func() ([]string, error), forced, defaults bool) (bool, string, error) {
	if ok, why := j.matchesBranch(branch); !ok {
		return false, why, nil
	}
	if j.AlwaysRun || forced {
		return true, "", nil
	}
	if !j.hasChangeRules() {
		return defaults, fmt.Sprintf("runs only when asked: comment %q", j.RerunCommand), nil
	}
	run, why, err := j.matchesChanges(changes)
	return run || defaults, why, err
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

// matchesChanges applies run_if_changed or skip_if_only_changed, which
// the job must have. When the files cannot be known (a new branch on an
// SCM whose pushes name none), the job runs.
func (j *Job) matchesChanges(changes func() ([]string, error)) (bool, string, error) {
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

// shouldRunPostsubmit follows Prow: the branch (or tag) must match; then
// changed-file rules decide when the job has them, else always_run does,
// and a job that does not set always_run runs.
func (j *Job) shouldRunPostsubmit(ref string, files func() ([]string, error)) (bool, string, error) {
	if ok, why := j.matchesBranch(ref); !ok {
		return false, why, nil
	}
	if j.hasChangeRules() {
		return j.matchesChanges(files)
	}
	if j.alwaysRunSet && !j.AlwaysRun {
		return false, "always_run is false and the job has no changed-file rules: it never runs on a push", nil
	}
	return true, "", nil
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

// merge adds the runs of other that s does not have yet; a job either
// selection runs is not skipped.
func (s Selection) merge(other Selection) Selection {
	runs := map[*Job]bool{}
	out := Selection{Reply: s.Reply}
	switch {
	case out.Reply == "":
		out.Reply = other.Reply
	case other.Reply != "":
		out.Reply += "\n\n" + other.Reply
	}
	for _, j := range append(append([]*Job{}, s.Runs...), other.Runs...) {
		if !runs[j] {
			runs[j] = true
			out.Runs = append(out.Runs, j)
		}
	}
	for _, sk := range s.Skipped {
		if !runsJob(out.Runs, sk.Job) {
			out.Skipped = append(out.Skipped, sk)
		}
	}
	return out
}

func runsJob(jobs []*Job, name string) bool {
	for _, j := range jobs {
		if j.Name == name {
			return true
		}
	}
	return false
}

// refuseAll turns every run into a skip with reason, keeping the reply.
func (s Selection) refuseAll(reason string) Selection {
	out := Selection{Skipped: s.Skipped, Reply: s.Reply}
	for _, j := range s.Runs {
		out.Skipped = append(out.Skipped, Skip{Job: j.Name, Reason: reason})
	}
	return out
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
