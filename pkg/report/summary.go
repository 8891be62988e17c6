package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/expiring"
	"github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// The summary comment: one comment per pull request that lists the jobs
// which failed on its newest commit, each with its link and the comment
// that runs it again. It is posted when a job first fails, edited in place
// as results come in, and deleted once no job fails on the newest commit
// (a push, a passing rerun). The controller is its only writer: reports of
// one pull request are serialised, so two runs that finish at once cannot
// post two comments.

// summaryMarker is hidden in the summary comment so that fresnel finds it
// again, after a restart too.
const summaryMarker = "<!-- fresnel: failed jobs -->"

// pullKey names one pull request of one provider instance.
type pullKey struct {
	kind, instance, repo string
	number               int
}

// summaryNote is what this process knows of a pull request's summary:
// the comment's id ("" for none) and the body it last wrote.
type summaryNote struct {
	id, body string
}

// summaries holds the per pull request locks and what each knows. A lock
// lives while someone holds or waits for it; what is known expires, so
// that memory follows the pull requests in flight, not all there were (a
// summary forgotten is found again among the comments).
type summaries struct {
	mu        sync.Mutex
	locks     map[pullKey]*pullLock
	notesOnce sync.Once
	notes     *expiring.Map[summaryNote]
}

// pullLock is one pull request's lock and how many hold or wait for it.
type pullLock struct {
	sync.Mutex
	users int
}

// Bounds of what is known of summaries: a day, for more pull requests
// than report at once.
const (
	rememberSummaries  = 10000
	rememberSummaryFor = 24 * time.Hour
)

// lock serialises the summary of one pull request.
func (s *summaries) lock(key pullKey) func() {
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[pullKey]*pullLock{}
	}
	l, ok := s.locks[key]
	if !ok {
		l = &pullLock{}
		s.locks[key] = l
	}
	l.users++
	s.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		s.mu.Lock()
		defer s.mu.Unlock()
		if l.users--; l.users == 0 {
			delete(s.locks, key)
		}
	}
}

func (s *summaries) known() *expiring.Map[summaryNote] {
	s.notesOnce.Do(func() { s.notes = expiring.New[summaryNote](rememberSummaries, rememberSummaryFor, nil) })
	return s.notes
}

func (s *summaries) note(key pullKey) (summaryNote, bool) { return s.known().Get(key.String()) }

func (s *summaries) remember(key pullKey, n summaryNote) { s.known().Put(key.String(), n) }

func (s *summaries) forget(key pullKey) { s.known().Delete(key.String()) }

// String names the pull request: kind/instance/repo#number.
func (k pullKey) String() string {
	return k.kind + "/" + k.instance + "/" + k.repo + "#" + strconv.Itoa(k.number)
}

// summarizeRun brings the pull request's summary comment up to date after
// a run of it finished. Runs that are not presubmits of a pull request,
// and instances that cannot comment or report a verdict of their own
// (Gerrit), have none.
func (r *Reporter) summarizeRun(ctx context.Context, pr *pipelinev1.PipelineRun, state providers.State) error {
	if !r.SummaryComment || state == providers.StatePending || !wantsSummary(pr) {
		return nil
	}
	in, ok := r.Instances.Get(pr.Labels[run.LabelProvider], pr.Annotations[run.AnnotationInstance])
	if !ok {
		return nil
	}
	if _, ok := in.Intake.(providers.VerdictReporter); ok {
		return nil
	}
	c, ok := in.Intake.(providers.Commenter)
	if !ok {
		return nil
	}
	key := pullKeyOf(pr)
	defer r.summaries.lock(key)()
	runs, err := r.pullRuns(ctx, pr, key)
	if err != nil {
		return err
	}
	head := newestRun(runs)
	if head == nil || head.Annotations[run.AnnotationSHA] != pr.Annotations[run.AnnotationSHA] {
		return nil // a result on an older commit changes nothing
	}
	body, err := r.summaryBody(failedRuns(runs, head.Annotations[run.AnnotationSHA]), head.Annotations[run.AnnotationSHA])
	if err != nil {
		return err
	}
	return r.writeSummary(ctx, c, key, body)
}

// wantsSummary says whether a run belongs in its pull request's summary.
func wantsSummary(pr *pipelinev1.PipelineRun) bool {
	n, _ := strconv.Atoi(pr.Labels[run.LabelPull])
	return n > 0 && pr.Labels[run.LabelType] == string(triggers.Presubmit) && pr.Annotations[run.AnnotationSkipReport] != "true"
}

func pullKeyOf(pr *pipelinev1.PipelineRun) pullKey {
	n, _ := strconv.Atoi(pr.Labels[run.LabelPull])
	return pullKey{kind: pr.Labels[run.LabelProvider], instance: pr.Annotations[run.AnnotationInstance],
		repo: pr.Annotations[run.AnnotationRepo], number: n}
}

// pullRuns lists the reported presubmit runs of the pull request.
func (r *Reporter) pullRuns(ctx context.Context, pr *pipelinev1.PipelineRun, key pullKey) ([]*pipelinev1.PipelineRun, error) {
	runs, err := r.runsBy(ctx, pr.Namespace, run.IndexPull, run.PullKey(pr.Labels))
	if err != nil {
		return nil, fmt.Errorf("report: runs of %s#%d: %w", key.repo, key.number, err)
	}
	var out []*pipelinev1.PipelineRun
	for i := range runs {
		if p := &runs[i]; pullKeyOf(p) == key && wantsSummary(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// newestRun is the run created last: its commit is the pull request's
// newest one fresnel knows.
func newestRun(runs []*pipelinev1.PipelineRun) *pipelinev1.PipelineRun {
	var newest *pipelinev1.PipelineRun
	for _, p := range runs {
		if newest == nil || newer(p, newest) {
			newest = p
		}
	}
	return newest
}

// failedRuns keeps, of the latest finished run of each context on sha,
// those that failed; runs fresnel cancelled as moot are left out. A job
// whose rerun has not finished yet stays listed until the rerun passes.
func failedRuns(runs []*pipelinev1.PipelineRun, sha string) []*pipelinev1.PipelineRun {
	latest := map[string]*pipelinev1.PipelineRun{}
	for _, p := range runs {
		if p.Annotations[run.AnnotationSHA] != sha || p.Annotations[run.AnnotationCancelled] != "" || !p.IsDone() {
			continue
		}
		name := p.Annotations[run.AnnotationContext]
		if cur, ok := latest[name]; !ok || newer(p, cur) {
			latest[name] = p
		}
	}
	var out []*pipelinev1.PipelineRun
	for _, p := range latest {
		if st, _ := StateOf(p); st == providers.StateFailure || st == providers.StateError {
			out = append(out, p)
		}
	}
	sortByContext(out)
	return out
}

// summaryBody is the comment listing failed, or "" when none failed.
func (r *Reporter) summaryBody(failed []*pipelinev1.PipelineRun, sha string) (string, error) {
	if len(failed) == 0 {
		return "", nil
	}
	var b strings.Builder
	b.WriteString(summaryMarker + "\n")
	fmt.Fprintf(&b, "%d %s failed on commit %s:\n\n", len(failed), plural(len(failed), "job", "jobs"), shortSHA(sha))
	b.WriteString("| Job | Result | Run it again |\n| --- | --- | --- |\n")
	for _, p := range failed {
		row, err := r.summaryRow(p)
		if err != nil {
			return "", err
		}
		b.WriteString(row)
	}
	b.WriteString("\nComment `/retest` to run every failed job again. fresnel keeps this comment up to date " +
		"and deletes it once no job fails on the newest commit.\n")
	return b.String(), nil
}

// summaryRow is one failed job's line: its name (linked), its result and
// its rerun command.
func (r *Reporter) summaryRow(p *pipelinev1.PipelineRun) (string, error) {
	state, desc := StateOf(p)
	status, err := r.status(p, state, desc)
	if err != nil {
		return "", err
	}
	name := cellText(jobName(p))
	if status.TargetURL != "" {
		name = "[" + name + "](" + status.TargetURL + ")"
	}
	rerun := p.Annotations[run.AnnotationRerunCommand]
	if rerun == "" {
		rerun = "/test " + jobName(p)
	}
	return fmt.Sprintf("| %s | %s | `%s` |\n", name, cellText(desc), cellText(rerun)), nil
}

// cellText keeps text inside one table cell.
func cellText(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "`", "'").Replace(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func shortSHA(sha string) string {
	if len(sha) > 10 {
		return sha[:10]
	}
	return sha
}

// writeSummary creates, edits or deletes the comment so that it reads
// body ("" for no comment). Without CommentEditor, a changed non-empty
// body is posted as a new comment.
func (r *Reporter) writeSummary(ctx context.Context, c providers.Commenter, key pullKey, body string) error {
	target := event.Target{Repo: key.repo, Number: key.number}
	editor, canEdit := c.(providers.CommentEditor)
	note, known := r.summaries.note(key)
	if !known && canEdit {
		var err error
		if note, err = findSummary(ctx, editor, target); err != nil {
			return err
		}
	}
	if note.body == body && (known || canEdit) {
		r.summaries.remember(key, note)
		return nil
	}
	next, err := r.applySummary(ctx, c, editor, target, note, body)
	if err != nil {
		r.summaries.forget(key) // read the comments again next time
		return err
	}
	r.summaries.remember(key, next)
	return nil
}

// applySummary makes the one change that turns note into body.
func (r *Reporter) applySummary(ctx context.Context, c providers.Commenter, editor providers.CommentEditor, target event.Target, note summaryNote, body string) (summaryNote, error) {
	switch {
	case editor != nil && note.id != "" && body == "":
		if err := editor.DeleteComment(ctx, target, note.id); err != nil {
			return note, fmt.Errorf("report: delete the summary of %s#%d: %w", target.Repo, target.Number, err)
		}
		return summaryNote{}, nil
	case editor != nil && note.id != "":
		if err := editor.EditComment(ctx, target, note.id, body); err != nil {
			return note, fmt.Errorf("report: edit the summary of %s#%d: %w", target.Repo, target.Number, err)
		}
		return summaryNote{id: note.id, body: body}, nil
	case body == "":
		return summaryNote{}, nil
	}
	id, err := c.Comment(ctx, target, body)
	if err != nil {
		return note, fmt.Errorf("report: comment the summary on %s#%d: %w", target.Repo, target.Number, err)
	}
	return summaryNote{id: id, body: body}, nil
}

// findSummary reads the pull request's comments for fresnel's summary;
// it is the newest comment with the marker.
func findSummary(ctx context.Context, editor providers.CommentEditor, target event.Target) (summaryNote, error) {
	comments, err := editor.ListComments(ctx, target)
	if err != nil {
		return summaryNote{}, fmt.Errorf("report: find the summary on %s#%d: %w", target.Repo, target.Number, err)
	}
	var found summaryNote
	for _, c := range comments {
		if strings.Contains(c.Body, summaryMarker) {
			found = summaryNote{id: c.ID, body: c.Body}
		}
	}
	return found, nil
}

// sortByContext orders runs by context, then name.
func sortByContext(runs []*pipelinev1.PipelineRun) {
	slices.SortFunc(runs, func(a, b *pipelinev1.PipelineRun) int {
		return cmp.Or(cmp.Compare(a.Annotations[run.AnnotationContext], b.Annotations[run.AnnotationContext]), cmp.Compare(a.Name, b.Name))
	})
}
