package launch

import (
	"context"
	"fmt"
	"strconv"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	klabels "k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/triggers"
)

// RunCanceller lists and patches PipelineRuns; the typed Tekton v1 client
// satisfies it.
type RunCanceller interface {
	List(ctx context.Context, opts metav1.ListOptions) (*pipelinev1.PipelineRunList, error)
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (*pipelinev1.PipelineRun, error)
}

// CancelPatch asks Tekton to stop pr, saying why. A run that has been
// let start is cancelled with CancelledRunFinally, so that its pipeline's
// finally tasks (cleanup, releasing a lease) still run; a queued run
// (spec.status Pending) is cancelled outright, so it never starts, not
// even its finally tasks.
func CancelPatch(pr *pipelinev1.PipelineRun, reason string) []byte {
	status := pipelinev1.PipelineRunSpecStatusCancelledRunFinally
	if pr.Spec.Status == pipelinev1.PipelineRunSpecStatusPending {
		status = pipelinev1.PipelineRunSpecStatusCancelled
	}
	return []byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}},"spec":{"status":%q}}`,
		run.AnnotationCancelled, reason, status))
}

// CancelRequested reports whether someone has already asked Tekton to
// stop pr, outright or letting its finally tasks run.
func CancelRequested(pr *pipelinev1.PipelineRun) bool {
	switch pr.Spec.Status {
	case pipelinev1.PipelineRunSpecStatusCancelled, pipelinev1.PipelineRunSpecStatusCancelledRunFinally,
		pipelinev1.PipelineRunSpecStatusStoppedRunFinally:
		return true
	}
	return false
}

// CancelPullRequest cancels the unfinished presubmit runs of ev's pull
// request (closed, merged or abandoned: nothing they report matters any
// more) and returns their names.
// A merge group's runs (on its head commit) are cancelled the same way
// when the group is gone.
func (l *Launcher) CancelPullRequest(ctx context.Context, ev event.Event) ([]string, error) {
	if ev.Kind == event.KindMergeGroup {
		return l.CancelPullRequestRuns(ctx, ev, "", "the merge group is gone")
	}
	return l.CancelPullRequestRuns(ctx, ev, "", "the pull request was closed")
}

// CancelPullRequestRuns cancels the unfinished presubmit runs of ev's pull
// request, only those of job when job is not empty, saying reason on each,
// and returns their names.
func (l *Launcher) CancelPullRequestRuns(ctx context.Context, ev event.Event, job, reason string) ([]string, error) {
	mergeGroup := ev.Kind == event.KindMergeGroup && ev.HeadSHA != ""
	if l.Cancels == nil || ev.Number <= 0 && !mergeGroup {
		return nil, nil
	}
	runs := l.Cancels(l.Namespace)
	set := klabels.Set{
		run.LabelManaged: "true", run.LabelType: string(triggers.Presubmit), run.LabelProvider: ev.Provider,
		run.LabelRepo: RepoLabel(ev.Repo.FullName),
	}
	if mergeGroup {
		set[run.LabelSHA] = LabelValue(ev.HeadSHA) // a merge group has no number: its commit names it
	} else {
		set[run.LabelPull] = strconv.Itoa(ev.Number)
	}
	if job != "" {
		set[run.LabelJob] = LabelValue(job)
	}
	list, err := runs.List(ctx, metav1.ListOptions{LabelSelector: klabels.SelectorFromSet(set).String()})
	if err != nil {
		return nil, fmt.Errorf("launch: runs of %s#%d: %w", ev.Repo.FullName, ev.Number, err)
	}
	var cancelled []string
	for i := range list.Items {
		pr := &list.Items[i]
		if !ofPullRequest(pr, ev) || pr.IsDone() || CancelRequested(pr) {
			continue
		}
		_, err := runs.Patch(ctx, pr.Name, types.MergePatchType, CancelPatch(pr, reason), metav1.PatchOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return cancelled, fmt.Errorf("launch: cancel %s: %w", pr.Name, err)
		}
		cancelled = append(cancelled, pr.Name)
	}
	return cancelled, nil
}

// ofPullRequest checks what labels only abbreviate: the instance and the
// repository.
func ofPullRequest(pr *pipelinev1.PipelineRun, ev event.Event) bool {
	return pr.Annotations[run.AnnotationInstance] == ev.Instance && pr.Annotations[run.AnnotationRepo] == ev.Repo.FullName
}
