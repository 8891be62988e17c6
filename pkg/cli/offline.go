package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// unreachableURL is the API explain's provider is built with: nothing
// listens there, so a call that should never happen fails fast.
const unreachableURL = "http://127.0.0.1:1"

// parsePayload parses a payload file with the provider's own parser, as
// the service does after verifying a delivery.
func parsePayload(ctx context.Context, kind, name, path string) (event.Event, error) {
	body, err := readFile("payload", path)
	if err != nil {
		return event.Event{}, err
	}
	p, err := providers.New(providers.Config{Kind: kind, Name: "explain", Insecure: true, URL: unreachableURL})
	if err != nil {
		return event.Event{}, err
	}
	r, err := eventRequest(p, name, body)
	if err != nil {
		return event.Event{}, err
	}
	ev, err := p.Parse(ctx, r, body)
	if err != nil && !errors.As(err, new(providers.Ignored)) {
		return ev, fmt.Errorf("payload %s: %w", path, err)
	}
	return ev, err
}

// eventRequest builds the request a delivery arrives as: the provider's
// own when it can, else one carrying name in each SCM's event header.
func eventRequest(p providers.Intake, name string, body []byte) (*http.Request, error) {
	if er, ok := p.(providers.EventRequester); ok {
		return er.EventRequest(name, body)
	}
	r, err := http.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	for _, h := range []string{"X-GitHub-Event", "X-Gitlab-Event", "X-Event-Key"} {
		r.Header.Set(h, name)
	}
	return r, nil
}

// offlineInputs stands in for what the service reads from the SCM: the
// pull request a comment is on, its changed files, and the results on its
// head commit (none unless --statuses gives them).
func offlineInputs(cfg *triggers.Config, ev event.Event, o explainOptions) (event.Event, triggers.Inputs, error) {
	ev, err := completeComment(cfg, ev, o.pullRequestFile)
	if err != nil {
		return ev, triggers.Inputs{}, err
	}
	results, err := readStatuses(o.statuses)
	if err != nil {
		return ev, triggers.Inputs{}, err
	}
	in := triggers.Inputs{
		ChangedFiles: func() ([]string, error) {
			return nil, errors.New("unknown offline: pass --changed-files FILE")
		},
		FailedContexts: func() (map[string]bool, error) { return results, nil },
	}
	if o.changedFiles == "" {
		return ev, in, nil
	}
	files, err := readChangedFiles(o.changedFiles)
	if err != nil {
		return ev, in, err
	}
	in.ChangedFiles = func() ([]string, error) { return files, nil }
	if ev.Kind == event.KindPush {
		ev.ChangedFiles = files
	}
	return ev, in, nil
}

// completeComment fills in what a comment event lacks about its pull
// request from --pull-request. Like the service, it needs them only for a
// comment that could start jobs.
func completeComment(cfg *triggers.Config, ev event.Event, path string) (event.Event, error) {
	if ev.Kind != event.KindComment {
		return ev, nil
	}
	if path != "" {
		return applyPullRequest(ev, path)
	}
	incomplete := ev.HeadSHA == "" || ev.BaseRef == ""
	if incomplete && ev.Comment != nil && cfg.Triggered(ev.Repo.FullName, ev.Comment.Body) {
		return ev, errors.New("the comment's payload lacks the pull request's base branch and head: pass --pull-request FILE")
	}
	return ev, nil
}

// pullRequest is what explain reads of a pull request as GitHub's API
// returns it.
type pullRequest struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Draft  bool   `json:"draft"`
	State  string `json:"state"`
	// Mergeable is null while GitHub computes it.
	Mergeable *bool `json:"mergeable"`
	Base      struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"base"`
	Head struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"head"`
}

func applyPullRequest(ev event.Event, path string) (event.Event, error) {
	data, err := readFile("pull request", path)
	if err != nil {
		return ev, err
	}
	var pr pullRequest
	if err := json.Unmarshal(data, &pr); err != nil {
		return ev, fmt.Errorf("pull request %s: %w", path, err)
	}
	switch {
	case pr.Base.Ref == "" || pr.Head.SHA == "":
		return ev, fmt.Errorf("pull request %s: base.ref and head.sha are required", path)
	case pr.Number > 0 && ev.Number > 0 && pr.Number != ev.Number:
		return ev, fmt.Errorf("pull request %s is #%d, the comment is on #%d", path, pr.Number, ev.Number)
	}
	ev.BaseRef, ev.BaseSHA = pr.Base.Ref, pr.Base.SHA
	ev.HeadRef, ev.HeadSHA = pr.Head.Ref, pr.Head.SHA
	ev.Draft = pr.Draft
	ev.Closed = ev.Closed || pr.State != "" && pr.State != "open"
	ev.Unmergeable = pr.Mergeable != nil && !*pr.Mergeable
	if ev.Body == "" {
		ev.Body = pr.Body
	}
	if ev.Title == "" {
		ev.Title = pr.Title
	}
	return ev, nil
}

// readChangedFiles reads one path per line; blank lines are skipped.
func readChangedFiles(path string) ([]string, error) {
	data, err := readFile("changed files", path)
	if err != nil {
		return nil, err
	}
	files := []string{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.TrimSpace(line); f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// combinedStatus is what explain reads of GitHub's combined status of a
// commit.
type combinedStatus struct {
	Statuses []struct {
		Context string `json:"context"`
		State   string `json:"state"`
	} `json:"statuses"`
}

// readStatuses maps each context of a combined status file to whether it
// failed (failure or error); no file means no context reported.
func readStatuses(path string) (map[string]bool, error) {
	if path == "" {
		return map[string]bool{}, nil
	}
	data, err := readFile("statuses", path)
	if err != nil {
		return nil, err
	}
	var cs combinedStatus
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("statuses %s: %w", path, err)
	}
	results := map[string]bool{}
	for _, s := range cs.Statuses {
		results[s.Context] = s.State == "failure" || s.State == "error"
	}
	return results, nil
}

func readFile(what, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, unwrapPath(err))
	}
	return data, nil
}

// unwrapPath drops the path an fs error repeats.
func unwrapPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

func sortSkips(skips []triggers.Skip) {
	sort.Slice(skips, func(a, b int) bool { return skips[a].Job < skips[b].Job })
}
