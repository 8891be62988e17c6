package bitbucketcloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// useOwnCalls puts our calls in place of the go-scm Bitbucket calls the
// embedded scmclient.Client makes, where they are wrong for fresnel:
//   - CreateStatus sends the context as both key and name; Bitbucket
//     refuses keys over 40 characters. Ours fits the key (see statusKey)
//     and keeps the whole context as the name, and sends a url, which
//     Bitbucket requires, even when fresnel has no link for the run.
//   - ListChanges reads only the new path of each file, so a deleted file
//     comes back as "" and a renamed one without its old name.
//   - Contents.List is not implemented; ours is in content.go.
//
// Comments (POST .../pullrequests/{id}/comments) and Find are go-scm's.
func useOwnCalls(c *scm.Client) {
	c.Repositories = statuses{RepositoryService: c.Repositories, client: c}
	c.PullRequests = pullRequests{PullRequestService: c.PullRequests, client: c}
	c.Contents = contents{ContentService: c.Contents, client: c}
}

// statuses replaces CreateStatus.
type statuses struct {
	scm.RepositoryService
	client *scm.Client
}

// buildStates are Bitbucket's names for scm states.
var buildStates = map[scm.State]string{
	scm.StatePending:  "INPROGRESS",
	scm.StateRunning:  "INPROGRESS",
	scm.StateSuccess:  "SUCCESSFUL",
	scm.StateFailure:  "FAILED",
	scm.StateError:    "FAILED",
	scm.StateCanceled: "STOPPED",
}

type buildStatus struct {
	Key         string `json:"key"`
	State       string `json:"state"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

func (s statuses) CreateStatus(ctx context.Context, repo, sha string, in *scm.StatusInput) (*scm.Status, *scm.Response, error) {
	state, ok := buildStates[in.State]
	if !ok {
		return nil, nil, fmt.Errorf("no Bitbucket state for %q", in.State)
	}
	body := buildStatus{Key: statusKey(in.Label), State: state, Name: in.Label, URL: in.Target, Description: in.Desc}
	if body.URL == "" {
		body.URL = commitPage(s.client, repo, sha)
	}
	path := fmt.Sprintf("2.0/repositories/%s/commit/%s/statuses/build", repo, url.PathEscape(sha))
	res, err := scmclient.Do(ctx, s.client, http.MethodPost, path, body, nil)
	return &scm.Status{State: in.State, Label: in.Label, Desc: in.Desc, Target: body.URL}, res, err
}

// maxKey is the longest status key Bitbucket Cloud accepts.
const maxKey = 40

// statusKey fits a context into a status key: a longer context keeps its
// first 31 characters and gets "-" and 8 hex characters of its SHA-256,
// so two long contexts with the same start still get different keys.
func statusKey(context string) string {
	if len(context) <= maxKey {
		return context
	}
	sum := sha256.Sum256([]byte(context))
	const hashLen = 8
	return context[:maxKey-hashLen-1] + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

// commitPage is the web page of a commit, the link a status gets when
// fresnel has none: https://bitbucket.org/{repo}/commits/{sha} for the
// default API.
func commitPage(c *scm.Client, repo, sha string) string {
	host := strings.TrimPrefix(c.BaseURL.Host, "api.")
	return fmt.Sprintf("%s://%s/%s/commits/%s", c.BaseURL.Scheme, host, repo, sha)
}

// pullRequests replaces ListChanges.
type pullRequests struct {
	scm.PullRequestService
	client *scm.Client
}

type diffStatPage struct {
	Values []struct {
		Status string    `json:"status"`
		Old    *filePath `json:"old"`
		New    *filePath `json:"new"`
	} `json:"values"`
	Next string `json:"next"`
}

type filePath struct {
	Path string `json:"path"`
}

func (p pullRequests) ListChanges(ctx context.Context, repo string, number int, opts *scm.ListOptions) ([]*scm.Change, *scm.Response, error) {
	query := url.Values{"page": {strconv.Itoa(opts.Page)}, "pagelen": {strconv.Itoa(opts.Size)}}
	path := fmt.Sprintf("2.0/repositories/%s/pullrequests/%d/diffstat?%s", repo, number, query.Encode())
	var page diffStatPage
	res, err := scmclient.Do(ctx, p.client, http.MethodGet, path, nil, &page)
	if err != nil {
		return nil, res, err
	}
	res.Page.Next = nextPage(page.Next)
	changes := make([]*scm.Change, 0, len(page.Values))
	for _, v := range page.Values {
		ch := &scm.Change{Added: v.Status == "added", Deleted: v.Status == "removed", Renamed: v.Status == "renamed"}
		if v.New != nil {
			ch.Path = v.New.Path
		}
		if v.Old != nil {
			ch.PreviousPath = v.Old.Path
		}
		if ch.Path == "" {
			ch.Path, ch.PreviousPath = ch.PreviousPath, ""
		}
		changes = append(changes, ch)
	}
	return changes, res, nil
}

// nextPage is the page number in a "next" link, 0 at the end.
func nextPage(next string) int {
	u, err := url.Parse(next)
	if next == "" || err != nil {
		return 0
	}
	n, _ := strconv.Atoi(u.Query().Get("page"))
	return n
}
