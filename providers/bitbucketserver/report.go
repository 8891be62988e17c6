package bitbucketserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// useOwnCalls puts our calls in place of the go-scm stash calls the
// embedded scmclient.Client makes, where they are wrong for fresnel:
//   - CreateStatus sends StatusInput.Link as the url (fresnel sets
//     Target, so the url, which Bitbucket requires, was empty), sends the
//     context as both key and name, and maps an error to UNKNOWN, which
//     the build-status API refuses. Ours: POST
//     /rest/build-status/1.0/commits/{sha} with url, key, name and state.
//   - ListChanges and CompareCommits panic when the request fails before
//     an answer (they set paging on a nil response).
//
// Comments (POST .../pull-requests/{id}/comments) and Find are go-scm's.
func useOwnCalls(c *scm.Client) {
	c.Repositories = statuses{RepositoryService: c.Repositories, client: c}
	c.PullRequests = pullRequests{PullRequestService: c.PullRequests, client: c}
	c.Git = commits{GitService: c.Git, client: c}
}

// statuses replaces CreateStatus.
type statuses struct {
	scm.RepositoryService
	client *scm.Client
}

// buildStates are the build-status API's names for scm states.
var buildStates = map[scm.State]string{
	scm.StatePending: "INPROGRESS",
	scm.StateRunning: "INPROGRESS",
	scm.StateSuccess: "SUCCESSFUL",
	scm.StateFailure: "FAILED",
	scm.StateError:   "FAILED",
}

type buildStatus struct {
	State       string `json:"state"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

func (s statuses) CreateStatus(ctx context.Context, repo, sha string, in *scm.StatusInput) (*scm.Status, *scm.Response, error) {
	state, ok := buildStates[in.State]
	if !ok {
		return nil, nil, fmt.Errorf("no Bitbucket build state for %q", in.State)
	}
	body := buildStatus{State: state, Key: in.Label, Name: in.Label, URL: in.Target, Description: in.Desc}
	if body.URL == "" {
		body.URL = s.client.BaseURL.JoinPath(repoPath(repo), "commits", sha).String()
	}
	path := "rest/build-status/1.0/commits/" + url.PathEscape(sha)
	res, err := scmclient.Do(ctx, s.client, http.MethodPost, path, body, nil)
	return &scm.Status{State: in.State, Label: in.Label, Desc: in.Desc, Target: body.URL}, res, err
}

// repoPath is "projects/{key}/repos/{slug}" for "{key}/{slug}".
func repoPath(repo string) string {
	project, slug, _ := strings.Cut(repo, "/")
	return "projects/" + url.PathEscape(project) + "/repos/" + url.PathEscape(slug)
}

// pullRequests replaces ListChanges.
type pullRequests struct {
	scm.PullRequestService
	client *scm.Client
}

type changePage struct {
	Values []struct {
		Path    filePath  `json:"path"`
		SrcPath *filePath `json:"srcPath"`
		Type    string    `json:"type"`
	} `json:"values"`
	IsLastPage bool `json:"isLastPage"`
}

type filePath struct {
	ToString string `json:"toString"`
}

func (p pullRequests) ListChanges(ctx context.Context, repo string, number int, opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	path := fmt.Sprintf("rest/api/1.0/%s/pull-requests/%d/changes", repoPath(repo), number)
	return listChanges(ctx, p.client, path, url.Values{}, opts)
}

// commits replaces CompareCommits.
type commits struct {
	scm.GitService
	client *scm.Client
}

// CompareCommits lists the changes in ref1 that ref2 lacks.
func (c commits) CompareCommits(ctx context.Context, repo, ref1, ref2 string, opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	path := fmt.Sprintf("rest/api/1.0/%s/compare/changes", repoPath(repo))
	return listChanges(ctx, c.client, path, url.Values{"from": {ref1}, "to": {ref2}}, opts)
}

// listChanges reads one page of a changes listing at path.
func listChanges(ctx context.Context, client *scm.Client, path string, query url.Values, opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	page := max(opts.Page, 1)
	query.Set("start", strconv.Itoa((page-1)*opts.Size))
	query.Set("limit", strconv.Itoa(opts.Size))
	path += "?" + query.Encode()
	var out changePage
	res, err := scmclient.Do(ctx, client, http.MethodGet, path, nil, &out)
	if err != nil {
		return nil, res, err
	}
	if !out.IsLastPage {
		res.Page.Next = page + 1
	}
	changes := make([]*scm.Change, 0, len(out.Values))
	for _, v := range out.Values {
		ch := &scm.Change{Path: v.Path.ToString, Added: v.Type == "ADD", Deleted: v.Type == "DELETE", Renamed: v.Type == "MOVE"}
		if v.SrcPath != nil {
			ch.PreviousPath = v.SrcPath.ToString
		}
		changes = append(changes, ch)
	}
	return changes, res, nil
}
