package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
)

// Verdicts (Gerrit): nothing is reported while a commit's runs go on, and
// nothing for a run fresnel cancelled as moot; when the last run on the
// commit finishes, one verdict lists every job's latest result. A rerun
// that finishes later makes a new verdict. Reports of one pull request are
// serialised, and the verdict last sent is remembered, so two runs that
// finish at once send it once.

// sendVerdict reports the verdict of pr's commit if pr's result completes
// it.
func (r *Reporter) sendVerdict(ctx context.Context, v providers.VerdictReporter, pr *pipelinev1.PipelineRun, state providers.State) error {
	if state == providers.StatePending || pr.Annotations[run.AnnotationCancelled] != "" {
		return nil
	}
	key := pullKeyOf(pr)
	defer r.summaries.lock(key)()
	latest, err := r.commitRuns(ctx, pr)
	if err != nil {
		return err
	}
	verdict, done, err := r.verdictOf(latest)
	if err != nil || !done {
		return err
	}
	sig := verdictSignature(pr.Annotations[run.AnnotationSHA], latest)
	if note, ok := r.summaries.note(key); ok && note.body == sig {
		return nil
	}
	if r.verdictShown(ctx, v, pr, latest, verdict) {
		r.summaries.remember(key, summaryNote{body: sig})
		return nil
	}
	start := time.Now()
	err = v.SetVerdict(ctx, commitRef(pr), verdict)
	recordReport(pr.Labels[run.LabelProvider], pr, state, start, err)
	if err != nil {
		return err
	}
	r.summaries.remember(key, summaryNote{body: sig})
	return nil
}

// commitRuns is the latest run of each context on pr's commit, pr itself
// as read now, runs cancelled as moot left out, sorted by context.
func (r *Reporter) commitRuns(ctx context.Context, pr *pipelinev1.PipelineRun) ([]*pipelinev1.PipelineRun, error) {
	runs, err := r.runsBy(ctx, pr.Namespace, run.IndexCommit, run.CommitKey(pr.Labels))
	if err != nil {
		return nil, fmt.Errorf("report: runs on %s: %w", pr.Annotations[run.AnnotationSHA], err)
	}
	latest := map[string]*pipelinev1.PipelineRun{pr.Annotations[run.AnnotationContext]: pr}
	for i := range runs {
		p := &runs[i]
		if p.UID == pr.UID || !sameCommit(p, pr) || p.Annotations[run.AnnotationCancelled] != "" {
			continue
		}
		name := p.Annotations[run.AnnotationContext]
		if cur, ok := latest[name]; !ok || newer(p, cur) {
			latest[name] = p
		}
	}
	out := make([]*pipelinev1.PipelineRun, 0, len(latest))
	for _, p := range latest {
		out = append(out, p)
	}
	sortByContext(out)
	return out, nil
}

// verdictOf folds the runs into a verdict; done is false while any runs.
func (r *Reporter) verdictOf(runs []*pipelinev1.PipelineRun) (providers.Verdict, bool, error) {
	var v providers.Verdict
	states := make([]providers.State, 0, len(runs))
	for _, p := range runs {
		state, desc := StateOf(p)
		if state == providers.StatePending {
			return v, false, nil
		}
		status, err := r.status(p, state, desc)
		if err != nil {
			return v, false, err
		}
		v.Jobs = append(v.Jobs, status)
		states = append(states, state)
	}
	v.State = combine(states)
	return v, true, nil
}

// verdictSignature names a verdict by the commit and the runs it covers,
// so that the same one is not sent twice.
func verdictSignature(sha string, runs []*pipelinev1.PipelineRun) string {
	var b strings.Builder
	b.WriteString(sha)
	for _, p := range runs {
		state, _ := StateOf(p)
		fmt.Fprintf(&b, " %s=%s", p.Name, state)
	}
	return b.String()
}
