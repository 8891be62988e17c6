package gitlab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// useOwnCalls puts our calls in place of the go-scm GitLab calls the
// embedded scmclient.Client makes, which are wrong for fresnel:
//   - CreateStatus looks the project up first (one more call per status),
//     sends everything in the query string and loses GitLab's error text,
//     so a re-posted running status cannot be told from a real failure.
//     Ours: POST /api/v4/projects/{path}/statuses/{sha} with a JSON body.
//   - CreateComment puts the note's body in the query string, which long
//     comments overflow. Ours: POST .../merge_requests/{iid}/notes, JSON.
//   - ListChanges reads .../changes, deprecated and not paginated. Ours:
//     GET .../merge_requests/{iid}/diffs, page by page (GitLab 15.7+).
//   - Find reads the source and target projects too, and fails when the
//     token cannot see a fork. Ours: one GET .../merge_requests/{iid}.
//   - CompareCommits takes its refs as from and to, while fresnel asks for
//     the changes in the first that the second lacks. Ours: GET
//     .../repository/compare?from={second}&to={first}.
//
// Project paths are escaped whole (a/b/c -> a%2Fb%2Fc), nested groups too.
func useOwnCalls(c *scm.Client) {
	c.Repositories = statuses{RepositoryService: c.Repositories, client: c}
	c.PullRequests = mergeRequests{PullRequestService: c.PullRequests, client: c}
	c.Git = repository{GitService: c.Git, client: c}
}

// repository replaces CompareCommits.
type repository struct {
	scm.GitService
	client *scm.Client
}

// CompareCommits lists the changes in ref1 that ref2 lacks, in one answer:
// GitLab's compare is not paginated.
func (r repository) CompareCommits(ctx context.Context, repo, ref1, ref2 string, _ *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	path := projectPath(repo, "repository", "compare") + "?" + url.Values{"from": {ref2}, "to": {ref1}}.Encode()
	var out struct {
		Diffs []diff `json:"diffs"`
	}
	res, err := scmclient.Do(ctx, r.client, http.MethodGet, path, nil, &out)
	if err != nil {
		return nil, res, err
	}
	res.Page.Next = 0
	return changesOf(out.Diffs), res, nil
}

func changesOf(diffs []diff) []*scm.Change {
	changes := make([]*scm.Change, 0, len(diffs))
	for _, d := range diffs {
		changes = append(changes, &scm.Change{
			Path: d.NewPath, PreviousPath: d.OldPath,
			Added: d.NewFile, Renamed: d.RenamedFile, Deleted: d.DeletedFile,
		})
	}
	return changes
}

// projectPath is the API path of a project, then parts, each escaped.
func projectPath(repo string, parts ...any) string {
	p := "api/v4/projects/" + url.PathEscape(repo)
	for _, part := range parts {
		p += "/" + url.PathEscape(fmt.Sprint(part))
	}
	return p
}

// statuses replaces CreateStatus.
type statuses struct {
	scm.RepositoryService
	client *scm.Client
}

// commitStates are GitLab's names for scm states. fresnel's pending means
// the PipelineRun exists, which GitLab shows best as running.
var commitStates = map[scm.State]string{
	scm.StatePending:  "running",
	scm.StateRunning:  "running",
	scm.StateSuccess:  "success",
	scm.StateFailure:  "failed",
	scm.StateError:    "failed",
	scm.StateCanceled: "canceled",
}

type commitStatus struct {
	State       string `json:"state"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	TargetURL   string `json:"target_url,omitempty"`
}

func (s statuses) CreateStatus(ctx context.Context, repo, sha string, in *scm.StatusInput) (*scm.Status, *scm.Response, error) {
	state, ok := commitStates[in.State]
	if !ok {
		return nil, nil, fmt.Errorf("no GitLab state for %q", in.State)
	}
	body := commitStatus{State: state, Name: in.Label, Description: in.Desc, TargetURL: in.Target}
	res, err := scmclient.Do(ctx, s.client, http.MethodPost, projectPath(repo, "statuses", sha), body, nil)
	return &scm.Status{State: in.State, Label: in.Label, Desc: in.Desc, Target: in.Target}, res, err
}

// statusAlreadySet reports GitLab's refusal to move a status to the state
// it is in ("Cannot transition status via :run from :running"): the status
// is set already.
func statusAlreadySet(err error) bool {
	var apiErr *scmclient.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest &&
		strings.Contains(apiErr.Body, "Cannot transition status")
}

// mergeRequests replaces Find, CreateComment and ListChanges.
type mergeRequests struct {
	scm.PullRequestService
	client *scm.Client
}

type note struct {
	ID     int    `json:"id"`
	Body   string `json:"body"`
	Author user   `json:"author"`
}

func (m mergeRequests) CreateComment(ctx context.Context, repo string, number int, in *scm.CommentInput) (*scm.Comment, *scm.Response, error) {
	var out note
	path := projectPath(repo, "merge_requests", number, "notes")
	res, err := scmclient.Do(ctx, m.client, http.MethodPost, path, map[string]string{"body": in.Body}, &out)
	if err != nil {
		return nil, res, err
	}
	return &scm.Comment{ID: out.ID, Body: out.Body, Author: scm.User{Login: out.Author.Username}}, res, nil
}

type diff struct {
	OldPath     string `json:"old_path"`
	NewPath     string `json:"new_path"`
	NewFile     bool   `json:"new_file"`
	RenamedFile bool   `json:"renamed_file"`
	DeletedFile bool   `json:"deleted_file"`
}

func (m mergeRequests) ListChanges(ctx context.Context, repo string, number int, opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	query := url.Values{"page": {strconv.Itoa(opts.Page)}, "per_page": {strconv.Itoa(opts.Size)}}
	path := projectPath(repo, "merge_requests", number, "diffs") + "?" + query.Encode()
	var diffs []diff
	res, err := scmclient.Do(ctx, m.client, http.MethodGet, path, nil, &diffs)
	if err != nil {
		return nil, res, err
	}
	if res.Page.Next == 0 {
		// GitLab leaves out the Link header past 10,000 rows.
		res.Page.Next, _ = strconv.Atoi(res.Header.Get("X-Next-Page"))
	}
	return changesOf(diffs), res, nil
}

type mergeRequestResource struct {
	IID            int    `json:"iid"`
	Title          string `json:"title"`
	State          string `json:"state"`
	WebURL         string `json:"web_url"`
	SHA            string `json:"sha"`
	SourceBranch   string `json:"source_branch"`
	TargetBranch   string `json:"target_branch"`
	Draft          bool   `json:"draft"`
	WorkInProgress bool   `json:"work_in_progress"`
	Author         user   `json:"author"`
	// MergeStatus (deprecated) and DetailedMergeStatus say whether the
	// merge request conflicts with its target branch.
	MergeStatus         string `json:"merge_status"`
	DetailedMergeStatus string `json:"detailed_merge_status"`
}

// mergeableState is go-scm's reading of the merge status: the detailed
// one when GitLab sends it (merge_status keeps its last value while GitLab
// checks again), else the deprecated one.
func (mr mergeRequestResource) mergeableState() scm.MergeableState {
	return scm.ToMergeableState(cmp.Or(mr.DetailedMergeStatus, mr.MergeStatus))
}

func (m mergeRequests) Find(ctx context.Context, repo string, number int) (*scm.PullRequest, *scm.Response, error) {
	var mr mergeRequestResource
	res, err := scmclient.Do(ctx, m.client, http.MethodGet, projectPath(repo, "merge_requests", number), nil, &mr)
	if err != nil {
		return nil, res, err
	}
	return &scm.PullRequest{
		Number: mr.IID, Title: mr.Title, Link: mr.WebURL, Sha: mr.SHA,
		Source: mr.SourceBranch, Target: mr.TargetBranch,
		Head:   scm.PullRequestBranch{Ref: mr.SourceBranch, Sha: mr.SHA},
		Base:   scm.PullRequestBranch{Ref: mr.TargetBranch},
		Draft:  mr.Draft || mr.WorkInProgress,
		Merged: mr.State == "merged", Closed: mr.State != "opened",
		MergeableState: mr.mergeableState(),
		Author:         scm.User{Login: mr.Author.Username},
	}, res, nil
}
