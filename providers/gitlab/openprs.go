package gitlab

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

var _ providers.OpenPullRequestLister = (*Provider)(nil)

// openMergeRequest is what a reconcile needs of a merge request in
// GitLab's list.
type openMergeRequest struct {
	IID          int      `json:"iid"`
	Title        string   `json:"title"`
	Draft        bool     `json:"draft"`
	SHA          string   `json:"sha"`
	SourceBranch string   `json:"source_branch"`
	TargetBranch string   `json:"target_branch"`
	WebURL       string   `json:"web_url"`
	Labels       []string `json:"labels"`
	Author       struct {
		Username string `json:"username"`
	} `json:"author"`
	DiffRefs struct {
		BaseSHA string `json:"base_sha"`
	} `json:"diff_refs"`
}

// projectInfo is what an event's repository needs of a project.
type projectInfo struct {
	PathWithNamespace string `json:"path_with_namespace"`
	HTTPURLToRepo     string `json:"http_url_to_repo"`
	WebURL            string `json:"web_url"`
	DefaultBranch     string `json:"default_branch"`
}

// OpenPullRequests lists repo's open merge requests updated at or after
// since (GET .../merge_requests?state=opened&updated_after=...), at most
// scmhook.MaxPages pages, as synchronize events. The call is ours: go-scm's
// list reads the source and target project of every merge request, two
// calls each, and fails on a fork the token cannot see.
func (p *Provider) OpenPullRequests(ctx context.Context, repo string, since time.Time) ([]event.Event, error) {
	var proj projectInfo
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(repo), nil, &proj); err != nil {
		return nil, fmt.Errorf("provider/gitlab: read project %s: %w", repo, err)
	}
	var out []event.Event
	for page := 1; page <= scmhook.MaxPages; page++ {
		q := url.Values{"state": {"opened"}, "updated_after": {since.UTC().Format(time.RFC3339)},
			"per_page": {strconv.Itoa(scmhook.PageSize)}, "page": {strconv.Itoa(page)}}
		var batch []openMergeRequest
		if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(repo, "merge_requests")+"?"+q.Encode(), nil, &batch); err != nil {
			return out, fmt.Errorf("provider/gitlab: list open merge requests of %s: %w", repo, err)
		}
		for _, mr := range batch {
			out = append(out, synchronizeEvent(repo, proj, mr))
		}
		if len(batch) < scmhook.PageSize {
			break
		}
	}
	return out, nil
}

// synchronizeEvent is the event a push to mr's source branch would make.
func synchronizeEvent(repoName string, proj projectInfo, mr openMergeRequest) event.Event {
	r := repo(project{PathWithNamespace: cmp.Or(proj.PathWithNamespace, repoName), WebURL: proj.WebURL,
		GitHTTPURL: proj.HTTPURLToRepo, DefaultBranch: proj.DefaultBranch})
	return event.Event{
		Kind: event.KindPullRequest, Action: event.ActionSynchronize, Repo: r,
		Number: mr.IID, Title: mr.Title, Link: mr.WebURL, Draft: mr.Draft, Author: mr.Author.Username,
		BaseRef: mr.TargetBranch, BaseSHA: mr.DiffRefs.BaseSHA, HeadRef: mr.SourceBranch, HeadSHA: mr.SHA,
		PullRef: pullRef(mr.IID), Labels: mr.Labels,
	}
}
