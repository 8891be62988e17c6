package periodic

import (
	"strings"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Delivery is what a tick's run carries where a webhook's run carries its
// delivery id: it makes the run's name, so one tick has one name.
func Delivery(tick time.Time) string {
	return "periodic@" + tick.UTC().Format(time.RFC3339)
}

// Build returns the PipelineRun of job for tick. A periodic has no event;
// its first extra_refs entry stands in for the repository, so the run gets
// REPO_OWNER, REPO_NAME, REPO_URL and PULL_BASE_REF as a postsubmit of that
// repository would, and a decorated pod-spec job clones every extra ref.
func Build(job *triggers.Job, tick time.Time, opts launch.Options) (*pipelinev1.PipelineRun, error) {
	ev := event.Event{Delivery: Delivery(tick)}
	if len(job.ExtraRefs) > 0 {
		r := job.ExtraRefs[0]
		ev.Repo = event.Repo{
			Owner: r.Org, Name: r.Repo, FullName: r.Org + "/" + r.Repo,
			CloneURL: cloneURL(r), Link: r.RepoLink,
		}
		ev.BaseRef, ev.BaseSHA, ev.HeadSHA = r.BaseRef, r.BaseSHA, r.BaseSHA
	}
	pr, err := launch.Build(job, ev, opts)
	if err != nil {
		return nil, err
	}
	pr.Annotations[run.AnnotationScheduled] = tick.UTC().Format(time.RFC3339)
	return pr, nil
}

// cloneURL is where a ref is cloned from: its clone_uri, else its link.
func cloneURL(r triggers.Refs) string {
	if r.CloneURI != "" || r.RepoLink == "" {
		return r.CloneURI
	}
	return strings.TrimSuffix(r.RepoLink, "/") + ".git"
}

// Scheduled is the tick a periodic run was started for: its annotation,
// else (a run fresnel did not schedule) its creation.
func Scheduled(pr metav1.Object) time.Time {
	if t, err := time.Parse(time.RFC3339, pr.GetAnnotations()[run.AnnotationScheduled]); err == nil {
		return t
	}
	return pr.GetCreationTimestamp().Time
}

// Newer says a was scheduled after b. Runs of the same tick (runs fresnel
// did not schedule, created in the same second) are ordered by name, so
// which one is newest never depends on the order of a list.
func Newer(a, b *pipelinev1.PipelineRun) bool {
	return LaterTick(Scheduled(a), a.Name, Scheduled(b), b.Name)
}

// LaterTick says the run named aName of tick aTick is newer than the one
// named bName of tick bTick: the later tick, of one tick the later name.
func LaterTick(aTick time.Time, aName string, bTick time.Time, bName string) bool {
	if c := aTick.Compare(bTick); c != 0 {
		return c > 0
	}
	return aName > bName
}

// lastOf describes the newest of a job's runs, and whether any of them is
// unfinished; nil when there are none.
func lastOf(runs []pipelinev1.PipelineRun) (*Last, bool) {
	var newest *pipelinev1.PipelineRun
	running := false
	for i := range runs {
		pr := &runs[i]
		if !pr.IsDone() {
			running = true
		}
		if newest == nil || Newer(pr, newest) {
			newest = pr
		}
	}
	if newest == nil {
		return nil, false
	}
	last := &Last{Scheduled: Scheduled(newest), Started: newest.CreationTimestamp.Time}
	if s := newest.Status.StartTime; s != nil {
		last.Started = s.Time
	}
	if c := newest.Status.CompletionTime; c != nil {
		last.Finished = c.Time
	} else if newest.IsDone() {
		last.Finished = last.Started
	}
	return last, running
}
