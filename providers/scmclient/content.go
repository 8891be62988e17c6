package scmclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.ContentReader = (*Client)(nil)

// listPageSize is the page size asked for when listing a directory, and
// maxListPages bounds how many pages one listing reads.
const (
	listPageSize = 100
	maxListPages = 50
)

// ReadFile returns the content of the file at path in repo at ref.
func (c *Client) ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error) {
	content, res, err := c.SCM.Contents.Find(ctx, repo, path, ref)
	if err != nil {
		return nil, c.contentError("read", repo, path, ref, res, err)
	}
	if content == nil {
		// go-scm's GitLab driver answers nil, nil for content it cannot decode.
		return nil, fmt.Errorf("%s: read %s at %s@%s: the answer has no content", c.Component, path, repo, ref)
	}
	return content.Data, nil
}

// ListDir returns the names of the entries directly in the directory at
// path in repo at ref; a subdirectory's name ends in "/".
func (c *Client) ListDir(ctx context.Context, repo, dir, ref string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for page := 1; ; page++ {
		entries, res, err := c.listPage(ctx, repo, dir, ref, page)
		if err != nil {
			return nil, c.contentError("list", repo, dir, ref, res, err)
		}
		added := 0
		for _, e := range entries {
			if name := entryName(dir, e); name != "" && !seen[name] {
				seen[name] = true
				names = append(names, name)
				added++
			}
		}
		// A driver that ignores the page asked for repeats page 1.
		repeated := page > 1 && added == 0
		if !repeated && (res == nil || res.Page.Next <= page) {
			return names, nil
		}
		if repeated || page == maxListPages {
			return nil, fmt.Errorf("%s: list %s at %s@%s: more entries than can be read", c.Component, dir, repo, ref)
		}
	}
}

// listPage reads one page of a listing. go-scm's Bitbucket Data Center
// driver dereferences a nil response when the request itself fails; that
// panic becomes an error here.
func (c *Client) listPage(ctx context.Context, repo, dir, ref string, page int) (entries []*scm.FileEntry, res *scm.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			entries, res, err = nil, nil, fmt.Errorf("go-scm driver failed: %v", p)
		}
	}()
	return c.SCM.Contents.List(ctx, repo, dir, ref, &scm.ListOptions{Page: page, Size: listPageSize})
}

// entryName is the name of an entry directly in dir: drivers give a name,
// a path from the repository root or a path from dir (and Bitbucket Data
// Center lists every file below dir), and name directories differently.
func entryName(dir string, e *scm.FileEntry) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(e.Path, "/"), strings.Trim(dir, "/")+"/")
	if e.Name != "" {
		rel = e.Name
	}
	name, rest, nested := strings.Cut(rel, "/")
	switch {
	case name == "":
		return ""
	case nested && rest != "", isDirType(e.Type):
		return name + "/"
	}
	return name
}

// isDirType reports a directory entry: GitHub's "dir", GitLab's "tree".
func isDirType(t string) bool { return t == "dir" || t == "tree" || t == "directory" }

// contentError wraps a contents API error, as ErrNotFound when the SCM
// answered 404 (go-scm's GitHub driver returns scm.ErrNotFound; others
// only a message).
func (c *Client) contentError(verb, repo, p, ref string, res *scm.Response, err error) error {
	if errors.Is(err, scm.ErrNotFound) || res != nil && res.Status == http.StatusNotFound {
		err = fmt.Errorf("%w: %v", providers.ErrNotFound, err)
	}
	return fmt.Errorf("%s: %s %s at %s@%s: %w", c.Component, verb, p, repo, ref, err)
}
