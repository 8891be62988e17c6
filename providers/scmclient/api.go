package scmclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/jenkins-x/go-scm/scm"
)

// maxErrorBody bounds how much of an error answer an APIError keeps.
const maxErrorBody = 2 << 10

// APIError is an SCM API answer outside 2xx. It keeps the start of the
// body, so a provider can tell one refusal from another (go-scm's drivers
// drop it and keep only the status text).
type APIError struct {
	Method string
	Path   string
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Body)
}

// Do sends one JSON request through a go-scm client, so it gets the
// client's base URL, authorization and path escaping, and decodes a JSON
// answer into out (nil ignores the answer). Providers use it where a
// go-scm driver's own call is wrong for them.
func Do(ctx context.Context, c *scm.Client, method, path string, in, out any) (*scm.Response, error) {
	req := &scm.Request{Method: method, Path: path, Header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		req.Body = bytes.NewReader(data)
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.Status < 200 || res.Status > 299 {
		body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
		path, _, _ = strings.Cut(path, "?")
		return res, &APIError{Method: method, Path: path, Status: res.Status, Body: strings.TrimSpace(string(body))}
	}
	if out == nil {
		return res, nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return res, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return res, nil
}
