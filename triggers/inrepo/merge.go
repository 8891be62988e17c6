package inrepo

import (
	"errors"
	"fmt"
	"slices"

	"github.com/fresnel-ci/fresnel/triggers"
)

// Merge returns the jobs an event on repo selects from: the central
// configuration's jobs for repo and then its in-repo jobs (nil for none).
// The Config holds repo alone. An in-repo job that a central job of the
// same type has the name of on an overlapping branch, or the presubmit
// context of under another name, is left out and the central job kept;
// the error names each one left out. Neither input is changed.
func Merge(central, inRepo *triggers.Config, repo string) (*triggers.Config, error) {
	out := emptyConfig()
	if central != nil {
		out.Plugins = central.Plugins
		out.Presubmits[repo] = slices.Clip(central.Presubmits[repo])
		out.Postsubmits[repo] = slices.Clip(central.Postsubmits[repo])
	}
	if inRepo == nil {
		return out, nil
	}
	return out, errors.Join(addAll(out, inRepo, repo, centralHas)...)
}

func emptyConfig() *triggers.Config {
	return &triggers.Config{Presubmits: map[string][]*triggers.Job{}, Postsubmits: map[string][]*triggers.Job{}}
}

// clashMessage says why job j is left out: other has its name or context.
type clashMessage func(j, other *triggers.Job, what string) string

func centralHas(j, _ *triggers.Job, what string) string {
	return fmt.Sprintf("%s %q: a central %s has this %s; the in-repo job is not used", j.Type, j.Name, j.Type, what)
}

func firstAt(j, other *triggers.Job, what string) string {
	return fmt.Sprintf("%s %q: the %s is taken by the job at %s:%d; this one is not used", j.Type, j.Name, what, other.Source, other.Line)
}

// addAll adds repo's jobs of from to out, except those whose name or
// presubmit context a job in out has already; it returns why each of
// those is left out. Slices of out are appended to as they are: callers
// give it clipped ones.
func addAll(out, from *triggers.Config, repo string, clash clashMessage) []error {
	var errs []error
	out.Presubmits[repo], errs = addJobs(out.Presubmits[repo], from.Presubmits[repo], clash, errs)
	out.Postsubmits[repo], errs = addJobs(out.Postsubmits[repo], from.Postsubmits[repo], clash, errs)
	return errs
}

func addJobs(jobs, more []*triggers.Job, clash clashMessage, errs []error) ([]*triggers.Job, []error) {
	for _, j := range more {
		if other, what := taken(jobs, j); other != nil {
			errs = append(errs, problem(j.Source, j.Line, "%s", clash(j, other, what)))
			continue
		}
		jobs = append(jobs, j)
	}
	return jobs, errs
}

// taken returns the job of jobs that j cannot stand beside, as Prow
// validates them: one with j's name on a branch j runs on too, or (for
// presubmits, which report under it) one of another name with j's
// context.
func taken(jobs []*triggers.Job, j *triggers.Job) (*triggers.Job, string) {
	for _, other := range jobs {
		switch {
		case other.Name == j.Name && other.BranchesOverlap(j):
			return other, "name"
		case j.Type == triggers.Presubmit && other.Name != j.Name && other.ContextName() == j.ContextName():
			return other, "context"
		}
	}
	return nil, ""
}
