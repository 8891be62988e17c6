package bitbucketcloud

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

// contents replaces List, which go-scm's Bitbucket driver does not
// implement: GET /2.0/repositories/{repo}/src/{ref}/{dir}/, page by page.
type contents struct {
	scm.ContentService
	client *scm.Client
}

type srcPage struct {
	Values []struct {
		Type string `json:"type"` // commit_file, commit_directory
		Path string `json:"path"` // from the repository root
	} `json:"values"`
	Next string `json:"next"`
}

// List returns one page of the entries directly in dir at ref.
func (c contents) List(ctx context.Context, repo, dir, ref string, opts *scm.ListOptions) ([]*scm.FileEntry, *scm.Response, error) {
	page := max(opts.Page, 1)
	query := url.Values{"page": {strconv.Itoa(page)}, "pagelen": {strconv.Itoa(opts.Size)}}
	path := fmt.Sprintf("2.0/repositories/%s/src/%s/%s/?%s", repo, url.PathEscape(ref), escapeSegments(strings.Trim(dir, "/")), query.Encode())
	var out srcPage
	res, err := scmclient.Do(ctx, c.client, http.MethodGet, path, nil, &out)
	if err != nil {
		return nil, res, err
	}
	if out.Next != "" {
		res.Page.Next = page + 1
	}
	entries := make([]*scm.FileEntry, 0, len(out.Values))
	for _, v := range out.Values {
		kind := "file"
		if v.Type == "commit_directory" {
			kind = "dir"
		}
		entries = append(entries, &scm.FileEntry{Path: v.Path, Type: kind})
	}
	return entries, res, nil
}

// escapeSegments escapes each segment of a slash-separated path.
func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
