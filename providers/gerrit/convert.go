package gerrit

import (
	"cmp"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// converter maps one stream event type onto an event.
type converter func(p *Provider, m *message) (event.Event, error)

// converters are the event types fresnel acts on; every other type is
// Ignored by name.
var converters = map[string]converter{
	"patchset-created":      (*Provider).patchsetCreated,
	"comment-added":         (*Provider).commentAdded,
	"change-merged":         (*Provider).changeMerged,
	"ref-updated":           (*Provider).refUpdated,
	"change-abandoned":      changeAction(event.ActionClosed),
	"change-restored":       changeAction(event.ActionReopened),
	"change-deferred":       changeAction(event.ActionClosed),
	"draft-published":       (*Provider).draftPublished,
	"private-state-changed": changeAction(event.ActionEdited),
	"wip-state-changed":     (*Provider).wipStateChanged,
}

// Patch set kinds (patchSet.kind) the skip options act on.
var (
	trivialRebaseKinds = map[string]bool{
		"TRIVIAL_REBASE": true, "TRIVIAL_REBASE_WITH_MESSAGE_UPDATE": true, "MERGE_FIRST_PARENT_UPDATE": true,
	}
	noCodeChangeKinds = map[string]bool{"NO_CODE_CHANGE": true, "NO_CHANGE": true}
)

// changeEvent fills what every change-scoped event has. The patch set, when
// the event has one, gives the commit under test and the ref to fetch it.
func (p *Provider) changeEvent(m *message) (event.Event, error) {
	c := m.Change
	if c == nil {
		return event.Event{}, providers.BadPayload("%s event without change", m.Type)
	}
	ev := event.Event{
		Repo:    p.repo(cmp.Or(string(c.Project), string(m.Project))),
		Number:  int(c.Number),
		BaseRef: cmp.Or(c.Branch, strings.TrimPrefix(m.RefName, "refs/heads/")),
		Title:   c.Subject,
		Link:    c.URL,
		Author:  c.Owner.login(),
		Draft:   c.WIP,
		Sender:  m.actor().login(),
		Body:    c.CommitMessage,
		// Stream events say nothing of conflicts: Unmergeable stays unset.
		Closed: c.closed(),
	}
	if ps := m.PatchSet; ps != nil {
		ev.HeadSHA, ev.PullRef = ps.Revision, ps.Ref
		ev.Draft = ev.Draft || ps.IsDraft
	}
	return ev, nil
}

// repo names a project: Gerrit project names may hold slashes; the part
// after the last one is the name, the rest the owner.
func (p *Provider) repo(project string) event.Repo {
	r := event.Repo{FullName: project, Name: project}
	if i := strings.LastIndex(project, "/"); i >= 0 {
		r.Owner, r.Name = project[:i], project[i+1:]
	}
	if project != "" {
		r.CloneURL = strings.TrimSuffix(p.opts.CloneURL, "/") + "/" + project
	}
	return r
}

// patchsetCreated is a new patch set: the first opens the change, later
// ones synchronize it, unless the options skip its kind.
func (p *Provider) patchsetCreated(m *message) (event.Event, error) {
	if m.PatchSet == nil {
		return event.Event{}, providers.BadPayload("patchset-created event without patchSet")
	}
	ev, err := p.changeEvent(m)
	if err != nil {
		return ev, err
	}
	ev.Kind, ev.Action = event.KindPullRequest, event.ActionSynchronize
	if m.PatchSet.Number == 1 {
		ev.Action = event.ActionOpened
	}
	if option := p.skipOption(m.PatchSet.Kind); option != "" {
		return ev, providers.Ignore("patch set %d is %s (%s is set)", m.PatchSet.Number, m.PatchSet.Kind, option)
	}
	return ev, nil
}

// skipOption names the option that skips a patch set of this kind, if set.
func (p *Provider) skipOption(kind string) string {
	switch {
	case p.opts.SkipTrivialRebase && trivialRebaseKinds[kind]:
		return "skipTrivialRebase"
	case p.opts.SkipNoCodeChange && noCodeChangeKinds[kind]:
		return "skipNoCodeChange"
	}
	return ""
}

// commentAdded is a review message, perhaps with votes; its text loses the
// "Patch Set N:" prefix Gerrit puts before it.
func (p *Provider) commentAdded(m *message) (event.Event, error) {
	ev, err := p.changeEvent(m)
	if err != nil {
		return ev, err
	}
	ev.Kind, ev.Action = event.KindComment, event.ActionCreated
	ev.Comment = &event.Comment{Body: stripPatchSet(m.Comment), Author: m.Author.login()}
	return ev, nil
}

// stripPatchSet drops a leading "Patch Set N:" and the blank space after
// it; votes on the same line ("Code-Review+2") stay in the text.
func stripPatchSet(comment string) string {
	rest, ok := strings.CutPrefix(comment, "Patch Set ")
	if !ok {
		return comment
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	rest, ok = strings.CutPrefix(rest[digits:], ":")
	if digits == 0 || !ok {
		return comment
	}
	return strings.TrimLeft(rest, " \t\r\n")
}

// changeMerged is a push of the merged change to its target branch: it
// runs postsubmits on the merged commit (newRev, else the patch set). It
// carries no change number, so it runs and reports as a push.
func (p *Provider) changeMerged(m *message) (event.Event, error) {
	change, err := p.changeEvent(m)
	if err != nil {
		return change, err
	}
	if change.BaseRef == "" {
		return change, providers.BadPayload("change-merged event without branch")
	}
	ref := fullRef(change.BaseRef)
	if reason := refIgnoreReason(ref); reason != "" {
		return change, providers.Ignore("change merged into %s: %s", ref, reason)
	}
	ev := pushEvent(change.Repo, ref, cmp.Or(m.NewRev, change.HeadSHA))
	ev.Title, ev.Link, ev.Author = change.Title, change.Link, change.Author
	ev.Sender = change.Sender
	return ev, nil
}

// refUpdated is a push to a branch or tag. Gerrit's own refs (changes,
// meta data) are Ignored.
func (p *Provider) refUpdated(m *message) (event.Event, error) {
	u := m.RefUpdate
	if u == nil || u.RefName == "" {
		return event.Event{}, providers.BadPayload("ref-updated event without refUpdate.refName")
	}
	ref := fullRef(u.RefName)
	repo := p.repo(cmp.Or(string(u.Project), string(m.Project)))
	if reason := refIgnoreReason(ref); reason != "" {
		return event.Event{Kind: event.KindPush, Repo: repo, Ref: ref}, providers.Ignore("ref-updated on %s: %s", ref, reason)
	}
	ev := pushEvent(repo, ref, u.NewRev)
	if !event.IsZeroSHA(u.OldRev) {
		ev.BaseSHA = u.OldRev
	}
	ev.Author = m.Submitter.login()
	ev.Sender = ev.Author
	return ev, nil
}

// fullRef completes a bare branch name (very old Gerrit sends "master").
func fullRef(name string) string {
	if strings.HasPrefix(name, "refs/") {
		return name
	}
	return "refs/heads/" + name
}

// refIgnoreReason says why pushes to ref start nothing, or "" if they may.
func refIgnoreReason(ref string) string {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"), strings.HasPrefix(ref, "refs/tags/"):
		return ""
	case strings.HasPrefix(ref, "refs/meta/"):
		return "Gerrit metadata"
	case strings.HasPrefix(ref, "refs/changes/") && strings.HasSuffix(ref, "/meta"):
		return "a change's NoteDb metadata"
	case strings.HasPrefix(ref, "refs/changes/"):
		return "a patch set ref (patchset-created covers it)"
	}
	return "not a branch or tag"
}

func pushEvent(repo event.Repo, ref, sha string) event.Event {
	ev := event.Event{Kind: event.KindPush, Repo: repo, Ref: ref, HeadSHA: sha}
	if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		ev.Tag, ev.BaseRef = true, tag
	} else {
		ev.BaseRef = strings.TrimPrefix(ref, "refs/heads/")
	}
	if event.IsZeroSHA(sha) {
		ev.Deleted, ev.HeadSHA = true, ""
	}
	ev.FilesUnlisted = !ev.Deleted
	return ev
}

// changeAction maps a change's state change onto a pull request action.
// Without a patch set there is no commit to act on, so it is Ignored.
func changeAction(action event.Action) converter {
	return func(p *Provider, m *message) (event.Event, error) {
		ev, err := p.changeEvent(m)
		if err != nil {
			return ev, err
		}
		ev.Kind, ev.Action = event.KindPullRequest, action
		if m.PatchSet == nil {
			return ev, providers.Ignore("%s event without patchSet: no commit to act on", m.Type)
		}
		return ev, nil
	}
}

// wipStateChanged is a change entering work in progress (a draft) or
// leaving it (ready for review, which runs presubmits).
func (p *Provider) wipStateChanged(m *message) (event.Event, error) {
	action := event.ActionReadyForReview
	if m.Change != nil && m.Change.WIP {
		action = event.ActionConvertToDraft
	}
	return changeAction(action)(p, m)
}

// draftPublished is a Gerrit 2.x draft patch set made public: the change
// is ready for review and gets its presubmits, like a change leaving work
// in progress.
func (p *Provider) draftPublished(m *message) (event.Event, error) {
	ev, err := changeAction(event.ActionReadyForReview)(p, m)
	ev.Draft = false
	return ev, err
}
