package scmclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"
)

// Probe asks the SCM a yes-or-no question it answers with a status code
// alone, as GitHub's membership calls do: a 2xx answer to GET path is yes,
// one of the statuses in no is no, and anything else is an error.
func Probe(ctx context.Context, c *scm.Client, path string, no ...int) (bool, error) {
	_, err := Do(ctx, c, http.MethodGet, path, nil, nil)
	if err == nil {
		return true, nil
	}
	if StatusOf(err) != 0 && slices.Contains(no, StatusOf(err)) {
		return false, nil
	}
	return false, err
}

// StatusOf is the HTTP status of an APIError in err's chain, 0 if none.
func StatusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	return 0
}

// maxPages bounds a listing, so an API whose next page never ends cannot
// keep fresnel busy forever.
const maxPages = 100

// AllPages calls list for page 1, 2, ... of size PageSize and joins the
// items, until an answer names no next page.
func AllPages[T any](list func(opts *scm.ListOptions) ([]T, *scm.Response, error)) ([]T, error) {
	var all []T
	opts := &scm.ListOptions{Page: 1, Size: PageSize}
	for range maxPages {
		items, res, err := list(opts)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if res == nil || res.Page.Next == 0 || res.Page.Next == opts.Page {
			return all, nil
		}
		opts.Page = res.Page.Next
	}
	return nil, fmt.Errorf("more than %d pages", maxPages)
}

// PageSize is the page size asked for by listings.
const PageSize = pageSize

// CommentID reads a numeric comment id, as GitHub, GitLab and Bitbucket
// number comments.
func CommentID(id string) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("comment id %q is not a positive number", id)
	}
	return n, nil
}
