// Package scmhook turns go-scm webhooks into normalized events. The
// providers built on go-scm share it; each adds only what its SCM does
// differently.
package scmhook

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// noSecret tells go-scm not to check signatures: fresnel verified the
// delivery before parsing.
func noSecret(scm.Webhook) (string, error) { return "", nil }

// Parse runs a go-scm webhook parser over a verified, bounded body. It
// turns go-scm's failure modes into typed errors: an unknown event or a nil
// hook is Ignored, bad JSON is ErrBadPayload said in words, and a panic is
// a ParserPanic (a bug: the provider should have refused the body first).
func Parse(ctx context.Context, svc scm.WebhookService, r *http.Request, body []byte) (hook scm.Webhook, err error) {
	defer func() {
		if p := recover(); p != nil {
			hook, err = nil, providers.ParserPanic{Value: p, Stack: string(debug.Stack())}
		}
	}()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	hook, err = svc.Parse(req, noSecret)
	var unknown scm.UnknownWebhook
	switch {
	case errors.As(err, &unknown):
		return nil, providers.Ignore("event %q is not handled", unknown.Event)
	case err != nil:
		return nil, providers.BadPayload("%s", providers.JSONProblem(err))
	case hook == nil:
		return nil, providers.Ignore("event is not handled")
	}
	return hook, nil
}

// Convert maps a go-scm webhook onto an event. Hooks fresnel does not act
// on are Ignored; hooks missing what their event needs are ErrBadPayload.
func Convert(hook scm.Webhook) (event.Event, error) {
	var ev event.Event
	switch h := hook.(type) {
	case *scm.PullRequestHook:
		ev = fromPullRequest(h)
	case *scm.PushHook:
		ev = fromPush(h)
	case *scm.PullRequestCommentHook:
		ev = fromPullRequestComment(h)
	case *scm.IssueCommentHook:
		if h.Issue.PullRequest == nil {
			return ev, providers.Ignore("comment on an issue, not a pull request")
		}
		ev = fromIssueComment(h)
	case *scm.PingHook:
		return event.Event{Kind: event.KindPing, Repo: repo(h.Repo)}, providers.Ignore("ping")
	default:
		return ev, providers.Ignore("event %s is not handled", hook.Kind())
	}
	return ev, Validate(ev)
}

// Validate rejects an event that lacks what its kind needs, so no run is
// ever started with empty fields.
func Validate(ev event.Event) error {
	missing := []string{}
	if ev.Repo.FullName == "" {
		missing = append(missing, "repository")
	}
	switch ev.Kind {
	case event.KindPullRequest:
		if ev.Number <= 0 {
			missing = append(missing, "pull request number")
		}
		if ev.HeadSHA == "" {
			missing = append(missing, "head SHA")
		}
		if ev.BaseRef == "" {
			missing = append(missing, "base branch")
		}
	case event.KindPush:
		if ev.Ref == "" {
			missing = append(missing, "ref")
		}
		if ev.HeadSHA == "" && !ev.Deleted {
			missing = append(missing, "head SHA")
		}
	case event.KindComment:
		if ev.Number <= 0 {
			missing = append(missing, "pull request number")
		}
		if ev.Comment == nil {
			missing = append(missing, "comment")
		}
	}
	if len(missing) > 0 {
		return providers.BadPayload("%s event without %s", ev.Kind, strings.Join(missing, ", "))
	}
	return nil
}

func repo(r scm.Repository) event.Repo {
	full := r.FullName
	if full == "" && r.Name != "" {
		full = strings.TrimPrefix(r.Namespace+"/"+r.Name, "/")
	}
	owner, name := r.Namespace, r.Name
	if i := strings.LastIndex(full, "/"); i > 0 {
		owner, name = full[:i], full[i+1:]
	}
	return event.Repo{
		Owner: owner, Name: name, FullName: full,
		CloneURL: r.Clone, Link: r.Link, DefaultBranch: r.Branch,
	}
}

var pullRequestActions = map[scm.Action]event.Action{
	scm.ActionOpen:             event.ActionOpened,
	scm.ActionCreate:           event.ActionOpened,
	scm.ActionReopen:           event.ActionReopened,
	scm.ActionSync:             event.ActionSynchronize,
	scm.ActionUpdate:           event.ActionEdited,
	scm.ActionEdited:           event.ActionEdited,
	scm.ActionClose:            event.ActionClosed,
	scm.ActionMerge:            event.ActionClosed,
	scm.ActionLabel:            event.ActionLabeled,
	scm.ActionUnlabel:          event.ActionUnlabeled,
	scm.ActionReadyForReview:   event.ActionReadyForReview,
	scm.ActionConvertedToDraft: event.ActionConvertToDraft,
}

func fromPullRequest(h *scm.PullRequestHook) event.Event {
	ev := pullRequest(h.Repo, h.PullRequest)
	ev.Kind = event.KindPullRequest
	ev.Delivery = h.GUID
	ev.Action = pullRequestActions[h.Action]
	if ev.Action == "" {
		ev.Action = event.Action(h.Action.String())
	}
	if h.Action == scm.ActionMerge {
		ev.Merged = true
	}
	ev.Label = h.Label.Name
	return ev
}

func pullRequest(r scm.Repository, pr scm.PullRequest) event.Event {
	ev := event.Event{
		Repo:    repo(r),
		Number:  pr.Number,
		Title:   pr.Title,
		Link:    pr.Link,
		Draft:   pr.Draft,
		Merged:  pr.Merged,
		Author:  pr.Author.Login,
		BaseRef: cmp.Or(pr.Base.Ref, pr.Target),
		BaseSHA: pr.Base.Sha,
		HeadRef: cmp.Or(pr.Head.Ref, pr.Source),
		HeadSHA: cmp.Or(pr.Head.Sha, pr.Sha),
	}
	for _, l := range pr.Labels {
		if l != nil {
			ev.Labels = append(ev.Labels, l.Name)
		}
	}
	return ev
}

func fromPullRequestComment(h *scm.PullRequestCommentHook) event.Event {
	ev := pullRequest(h.Repo, h.PullRequest)
	ev.Kind = event.KindComment
	ev.Delivery = h.GUID
	ev.Action = commentAction(h.Action)
	ev.Comment = comment(h.Comment)
	return ev
}

func fromIssueComment(h *scm.IssueCommentHook) event.Event {
	ev := event.Event{
		Kind:     event.KindComment,
		Delivery: h.GUID,
		Action:   commentAction(h.Action),
		Repo:     repo(h.Repo),
		Number:   h.Issue.Number,
		Title:    h.Issue.Title,
		Link:     h.Issue.Link,
		Author:   h.Issue.Author.Login,
		Labels:   h.Issue.Labels,
		Comment:  comment(h.Comment),
	}
	if pr := h.Issue.PullRequest; pr != nil {
		ev.HeadSHA = cmp.Or(pr.Head.Sha, pr.Sha)
		ev.BaseRef = cmp.Or(pr.Base.Ref, pr.Target)
		ev.HeadRef = cmp.Or(pr.Head.Ref, pr.Source)
	}
	return ev
}

func commentAction(a scm.Action) event.Action {
	switch a {
	case scm.ActionCreate:
		return event.ActionCreated
	case scm.ActionUpdate, scm.ActionEdited:
		return event.ActionEdited
	case scm.ActionDelete:
		return event.ActionDeleted
	}
	return event.Action(a.String())
}

func comment(c scm.Comment) *event.Comment {
	id := ""
	if c.ID != 0 {
		id = strconv.Itoa(c.ID)
	}
	return &event.Comment{ID: id, Body: c.Body, Author: c.Author.Login}
}

func fromPush(h *scm.PushHook) event.Event {
	ev := event.Event{
		Kind:     event.KindPush,
		Delivery: h.GUID,
		Repo:     repo(h.Repo),
		Ref:      h.Ref,
		BaseSHA:  h.Before,
		HeadSHA:  cmp.Or(h.After, h.Commit.Sha),
		Deleted:  h.Deleted,
		Author:   h.Sender.Login,
	}
	switch {
	case strings.HasPrefix(h.Ref, "refs/tags/"):
		ev.Tag = true
		ev.BaseRef = strings.TrimPrefix(h.Ref, "refs/tags/")
	default:
		ev.BaseRef = strings.TrimPrefix(h.Ref, "refs/heads/")
	}
	if event.IsZeroSHA(ev.HeadSHA) {
		ev.Deleted = true
		ev.HeadSHA = ""
	}
	ev.ChangedFiles = pushChanges(h.Commits)
	return ev
}

func pushChanges(commits []scm.PushCommit) []string {
	seen := map[string]bool{}
	var files []string
	for _, c := range commits {
		for _, group := range [][]string{c.Added, c.Removed, c.Modified} {
			for _, f := range group {
				if !seen[f] {
					seen[f] = true
					files = append(files, f)
				}
			}
		}
	}
	return files
}
