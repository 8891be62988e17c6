package github

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// mergeGroupEvent is the X-GitHub-Event of a merge queue's merge group.
// fresnel reads it itself: go-scm knows no merge groups.
const mergeGroupEvent = "merge_group"

type mergeGroupPayload struct {
	Action string `json:"action"`
	// Reason says why a destroyed group went: merged, invalidated or
	// dequeued.
	Reason     string `json:"reason"`
	MergeGroup *struct {
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
		BaseSHA string `json:"base_sha"`
		BaseRef string `json:"base_ref"`
	} `json:"merge_group"`
	Repository repository `json:"repository"`
	Sender     login      `json:"sender"`
}

// mergeGroupActions maps the merge_group actions fresnel acts on.
var mergeGroupActions = map[string]event.Action{
	"checks_requested": event.ActionChecksRequested,
	"destroyed":        event.ActionClosed,
}

// parseMergeGroup turns a merge_group delivery into a merge group event:
// checks_requested runs the base branch's required presubmits on the
// group's head commit, destroyed cancels them.
func parseMergeGroup(body []byte) (event.Event, error) {
	var p mergeGroupPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return event.Event{}, providers.BadPayload("merge_group: %s", providers.JSONProblem(err))
	}
	action, ok := mergeGroupActions[p.Action]
	if !ok {
		return event.Event{}, providers.Ignore("merge_group action %q is not handled", p.Action)
	}
	g := p.MergeGroup
	if g == nil || g.HeadSHA == "" || g.BaseRef == "" || p.Repository.FullName == "" {
		return event.Event{}, providers.BadPayload("merge_group without merge_group.head_sha, merge_group.base_ref or repository")
	}
	r := p.Repository
	return event.Event{
		Kind: event.KindMergeGroup, Action: action, Sender: p.Sender.Login,
		Repo:    r.event(),
		Ref:     g.HeadRef,
		BaseRef: strings.TrimPrefix(g.BaseRef, "refs/heads/"), BaseSHA: g.BaseSHA,
		HeadRef: strings.TrimPrefix(g.HeadRef, "refs/heads/"), HeadSHA: g.HeadSHA,
		// The payload names no files: they are the comparison of the
		// base and head commits, read on demand.
		FilesUnlisted: true,
	}, nil
}

// ChangedFiles lists what a merge group changes, comparing its base commit
// with its head (GET /repos/{repo}/compare/{base}...{head}); a pull
// request's or a push's files are read as scmclient reads them.
func (p *Provider) ChangedFiles(ctx context.Context, ev event.Event) ([]string, error) {
	if ev.Kind != event.KindMergeGroup {
		return p.Client.ChangedFiles(ctx, ev)
	}
	if ev.BaseSHA == "" {
		return nil, event.ErrFilesUnknown
	}
	changes, _, err := p.SCM.Git.CompareCommits(ctx, ev.Repo.FullName, ev.BaseSHA, ev.HeadSHA, &scm.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("provider/github: compare %s %s...%s: %w", ev.Repo.FullName, ev.BaseSHA, ev.HeadSHA, err)
	}
	var files []string
	for _, ch := range changes {
		files = append(files, ch.Path)
		if ch.PreviousPath != "" && ch.PreviousPath != ch.Path {
			files = append(files, ch.PreviousPath)
		}
	}
	return files, nil
}
