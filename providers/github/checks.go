package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// AppProvider is a GitHub instance that acts as a GitHub App: on top of
// what a Provider does, it reports each run as a check run rather than a
// commit status (only an App may write check runs).
type AppProvider struct {
	*Provider
}

var (
	_ providers.Checker      = (*AppProvider)(nil)
	_ providers.SkipReporter = (*AppProvider)(nil)
	_ providers.SkipReporter = (*Provider)(nil)
)

// NewApp returns a GitHub provider that authenticates as opts.App.
func NewApp(opts Options) (*AppProvider, error) {
	if opts.App == nil {
		return nil, fmt.Errorf("provider/github: NewApp without an App")
	}
	p, err := New(opts)
	if err != nil {
		return nil, err
	}
	return &AppProvider{Provider: p}, nil
}

// checkRun is the body of POST and PATCH /repos/{owner}/{repo}/check-runs.
type checkRun struct {
	Name       string      `json:"name,omitempty"`
	HeadSHA    string      `json:"head_sha,omitempty"`
	ExternalID string      `json:"external_id,omitempty"`
	DetailsURL string      `json:"details_url,omitempty"`
	Status     string      `json:"status"`
	Conclusion string      `json:"conclusion,omitempty"`
	Output     checkOutput `json:"output"`
}

type checkOutput struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
}

// SetCheck creates the check run of a job on ref's commit (POST
// /repos/{owner}/{repo}/check-runs) when id is "", or updates check run id
// (PATCH .../check-runs/{id}); it returns the check run's id. A check run
// that is gone (404) is created again, under a new id.
func (p *AppProvider) SetCheck(ctx context.Context, ref event.CommitRef, id string, c providers.Check) (string, error) {
	body := checkRunFor(ref, c)
	path := "repos/" + repoPath(ref.Repo) + "/check-runs"
	method := http.MethodPost
	if id != "" {
		method, path = http.MethodPatch, path+"/"+url.PathEscape(id)
		body.Name, body.HeadSHA = "", ""
	}
	var out struct {
		ID int64 `json:"id"`
	}
	_, err := scmclient.Do(ctx, p.SCM, method, path, body, &out)
	if id != "" && scmclient.StatusOf(err) == http.StatusNotFound {
		return p.SetCheck(ctx, ref, "", c)
	}
	if err != nil {
		return "", fmt.Errorf("provider/github: check run %q on %s@%s: %w", c.Context, ref.Repo, ref.SHA, err)
	}
	if out.ID == 0 {
		return "", fmt.Errorf("provider/github: check run %q on %s@%s: the answer has no id", c.Context, ref.Repo, ref.SHA)
	}
	return strconv.FormatInt(out.ID, 10), nil
}

// SetSkipped creates a completed check run with the conclusion "skipped",
// which a branch protection counts as passed.
func (p *AppProvider) SetSkipped(ctx context.Context, ref event.CommitRef, context, job, why string) error {
	body := checkRun{
		Name: context, HeadSHA: ref.SHA, ExternalID: externalID(ref.Number, job),
		Status: "completed", Conclusion: "skipped",
		Output: checkOutput{Title: "Skipped", Summary: skippedSummary(job, why)},
	}
	path := "repos/" + repoPath(ref.Repo) + "/check-runs"
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPost, path, body, nil); err != nil {
		return fmt.Errorf("provider/github: skipped check run %q on %s@%s: %w", context, ref.Repo, ref.SHA, err)
	}
	return nil
}

// SetSkipped sets a success commit status "Skipped", as Prow's trigger
// used to post for jobs that did not need to run.
func (p *Provider) SetSkipped(ctx context.Context, ref event.CommitRef, context, _, why string) error {
	return p.SetStatus(ctx, ref, providers.Status{
		State: providers.StateSuccess, Context: context, Description: skippedDescription(why),
	})
}

// maxDescription is the longest commit status description GitHub takes.
const maxDescription = 140

func skippedDescription(why string) string {
	d := "Skipped: " + why
	if len(d) > maxDescription {
		d = "Skipped."
	}
	return d
}

func skippedSummary(job, why string) string {
	return fmt.Sprintf("Job `%s` did not need to run: %s.", job, why)
}

// checkRunFor turns a run's state into a check run: queued until the run
// starts, in_progress while it runs, then completed with a conclusion.
func checkRunFor(ref event.CommitRef, c providers.Check) checkRun {
	body := checkRun{
		Name: c.Context, HeadSHA: ref.SHA, ExternalID: externalID(ref.Number, c.Job),
		DetailsURL: c.TargetURL, Status: "queued",
		Output: checkOutput{Title: c.Description, Summary: checkSummary(c)},
	}
	if c.State == providers.StatePending {
		if c.Started {
			body.Status = "in_progress"
		}
		return body
	}
	body.Status, body.Conclusion = "completed", conclusion(c)
	return body
}

// conclusion maps a finished run's state onto GitHub's conclusions.
func conclusion(c providers.Check) string {
	switch {
	case c.State == providers.StateSuccess:
		return "success"
	case c.Cancelled:
		return "cancelled"
	}
	return "failure"
}

// checkSummary is the Markdown under the check run's title: the job, the
// step that failed, and where to read more.
func checkSummary(c providers.Check) string {
	lines := []string{fmt.Sprintf("Job `%s`: %s", c.Job, c.Description)}
	if c.FailedStep != "" {
		lines = append(lines, fmt.Sprintf("Failed step: `%s`", c.FailedStep))
	}
	if c.TargetURL != "" {
		lines = append(lines, fmt.Sprintf("[Details](%s)", c.TargetURL))
	}
	return strings.Join(lines, "\n\n")
}

// externalID is what fresnel keeps in a check run's external_id so that
// a re-run request names the job and pull request again: "<number>/<job>",
// number 0 for a commit without a pull request (a merge group's).
func externalID(number int, job string) string {
	if job == "" {
		return ""
	}
	return strconv.Itoa(number) + "/" + job
}

// parseExternalID reads an external_id externalID wrote.
func parseExternalID(id string) (number int, job string, ok bool) {
	n, job, found := strings.Cut(id, "/")
	number, err := strconv.Atoi(n)
	if !found || err != nil || number < 0 || job == "" {
		return 0, "", false
	}
	return number, job, true
}

// repoPath escapes owner/name for a REST path.
func repoPath(repo string) string {
	owner, name, _ := strings.Cut(repo, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}
