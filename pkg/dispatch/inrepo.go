package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

// InRepoContext is the status context a commit gets when its in-repo jobs
// cannot be used.
const InRepoContext = "fresnel/in-repo-config"

// maxDescription is the longest status description every SCM takes
// (GitHub's limit).
const maxDescription = 140

// InRepo reads in-repo jobs for the repositories that opt in.
type InRepo struct {
	Loader *inrepo.Loader
	// Enabled reports whether a repository's own jobs are read.
	Enabled func(repo string) bool

	// failed remembers commits given a failure status, so that a later
	// event that reads their files (after an SCM outage) clears it.
	mu     sync.Mutex
	failed map[string]bool
}

// maxFailed bounds how many failed commits are remembered.
const maxFailed = 1000

// jobStarters are the pull request actions that run presubmits.
var jobStarters = map[event.Action]bool{
	event.ActionOpened: true, event.ActionReopened: true, event.ActionSynchronize: true, event.ActionReadyForReview: true,
}

// mayHavePresubmits reports whether repo has presubmits, or may keep
// some that in can read.
func (d *Dispatcher) mayHavePresubmits(in providers.Instance, repo string) bool {
	if len(d.Config().Presubmits[repo]) > 0 {
		return true
	}
	_, readable := in.Intake.(providers.ContentReader)
	return readable && d.InRepo != nil && d.InRepo.Enabled(repo)
}

// jobs returns the configuration ev selects from: the central one, plus
// the repository's own jobs at the commit under test when it opts in and
// ev may start jobs. In-repo jobs that cannot be used get the commit a
// failure status and the event a warning; the central jobs still run.
// What reading them warned about becomes the event's warnings too.
func (d *Dispatcher) jobs(ctx context.Context, in providers.Instance, ev event.Event) (*triggers.Config, []string) {
	central := d.Config()
	if !d.readsInRepo(ev) {
		return central, nil
	}
	local, err := d.loadInRepo(ctx, in, ev)
	merged, clash := inrepo.Merge(central, local, ev.Repo.FullName)
	warnings := inRepoWarnings(local)
	if err := errors.Join(err, clash); err != nil {
		metrics.InRepoLoads.WithLabelValues("failure").Inc()
		return merged, append(warnings, d.InRepo.fail(ctx, in, ev, err)...)
	}
	metrics.InRepoLoads.WithLabelValues("success").Inc()
	d.InRepo.clear(ctx, in, ev)
	return merged, warnings
}

// inRepoWarnings are what reading the in-repo jobs warned about (fields
// fresnel ignores, say), each with its file and line.
func inRepoWarnings(local *triggers.Config) []string {
	if local == nil {
		return nil
	}
	out := make([]string, 0, len(local.Warnings))
	for _, w := range local.Warnings {
		out = append(out, "in-repo jobs: "+w.String())
	}
	return out
}

// readsInRepo reports whether ev's repository opts in and ev may start
// jobs on a known commit.
func (d *Dispatcher) readsInRepo(ev event.Event) bool {
	if d.InRepo == nil || ev.HeadSHA == "" || !d.InRepo.Enabled(ev.Repo.FullName) {
		return false
	}
	switch ev.Kind {
	case event.KindPullRequest:
		return jobStarters[ev.Action]
	case event.KindComment:
		return ev.Comment != nil && triggers.HasTestCommand(ev.Comment.Body)
	case event.KindPush:
		return !ev.Deleted
	case event.KindMergeGroup:
		return ev.Action == event.ActionChecksRequested
	}
	return false
}

func (d *Dispatcher) loadInRepo(ctx context.Context, in providers.Instance, ev event.Event) (*triggers.Config, error) {
	files, ok := in.Intake.(providers.ContentReader)
	if !ok {
		return nil, fmt.Errorf("%s cannot read repository files, so in-repo jobs are not supported", in.Kind)
	}
	commit := inrepo.Commit{Instance: in.Kind + "/" + in.Name, Repo: ev.Repo.FullName, SHA: ev.HeadSHA}
	return d.InRepo.Loader.Load(ctx, files, commit)
}

// fail reports why a commit's in-repo jobs cannot be used, as a failure
// status, and returns the event's warnings.
func (r *InRepo) fail(ctx context.Context, in providers.Instance, ev event.Event, err error) []string {
	warnings := []string{"in-repo jobs: " + err.Error()}
	status := providers.Status{State: providers.StateFailure, Context: InRepoContext, Description: describe(err)}
	if serr := setStatus(ctx, in, ev, status); serr != nil {
		return append(warnings, "in-repo jobs: the failure could not be reported: "+serr.Error())
	}
	r.remember(ev, true)
	return warnings
}

// clear sets a success status on a commit given a failure status before.
func (r *InRepo) clear(ctx context.Context, in providers.Instance, ev event.Event) {
	if !r.remember(ev, false) {
		return
	}
	status := providers.Status{State: providers.StateSuccess, Context: InRepoContext, Description: "In-repo jobs read."}
	if err := setStatus(ctx, in, ev, status); err != nil {
		r.remember(ev, true) // try again on the next event
	}
}

// remember records whether ev's commit has a failure status and returns
// whether it had one.
func (r *InRepo) remember(ev event.Event, failed bool) bool {
	key := ev.Provider + "/" + ev.Instance + "\x00" + ev.Repo.FullName + "\x00" + ev.HeadSHA
	r.mu.Lock()
	defer r.mu.Unlock()
	had := r.failed[key]
	switch {
	case !failed:
		delete(r.failed, key)
	case r.failed == nil || len(r.failed) >= maxFailed:
		r.failed = map[string]bool{key: true}
	default:
		r.failed[key] = true
	}
	return had
}

func setStatus(ctx context.Context, in providers.Instance, ev event.Event, s providers.Status) error {
	reporter, ok := in.Intake.(providers.StatusReporter)
	if !ok {
		return fmt.Errorf("%s cannot set statuses", in.Kind)
	}
	return reporter.SetStatus(ctx, ev.CommitRef(), s)
}

// describe fits the first problem of err, and how many more there are,
// into a status description.
func describe(err error) string {
	lines := strings.Split(err.Error(), "\n")
	first := strings.TrimPrefix(lines[0], "triggers: ")
	if len(lines) > 1 {
		first = fmt.Sprintf("(%d problems) %s", len(lines), first)
	}
	if r := []rune(first); len(r) > maxDescription {
		first = string(r[:maxDescription-1]) + "…"
	}
	return first
}
