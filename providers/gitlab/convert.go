package gitlab

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// convert maps a go-scm hook onto an event and puts back what go-scm
// drops or gets wrong, from the fields fresnel read itself.
func convert(hook scm.Webhook, fields payload) (event.Event, error) {
	if ev, ok := scmhook.FromRefHook(hook); ok {
		return ev, scmhook.Validate(ev)
	}
	ev, err := scmhook.Convert(hook)
	if err != nil {
		return ev, err
	}
	switch ev.Kind {
	case event.KindPullRequest:
		ev = fromMergeRequestFields(ev, fields)
	case event.KindPush:
		ev.Sender = cmp.Or(fields.UserUsername, ev.Author)
		ev.BaseSHA = cmp.Or(ev.BaseSHA, fields.Before)
		// A push of more commits than its hook lists: its files come
		// from the compare API.
		ev.FilesUnlisted = !ev.Deleted && fields.TotalCommitsCount > len(fields.Commits)
	}
	return ev, scmhook.Validate(ev)
}

// fromMergeRequestFields corrects a merge request event: go-scm gives the
// project's default branch as the base and knows no draft state, labels,
// or whether an update pushed commits.
func fromMergeRequestFields(ev event.Event, fields payload) event.Event {
	attrs := fields.ObjectAttributes
	ev.BaseRef = cmp.Or(attrs.TargetBranch, ev.BaseRef)
	ev.HeadRef = cmp.Or(attrs.SourceBranch, ev.HeadRef)
	ev.Draft = attrs.Draft || attrs.WorkInProgress
	ev.Labels = titles(fields.Labels)
	ev.PullRef = pullRef(ev.Number)
	ev.Sender, ev.Body = fields.User.Username, attrs.Description
	ev.Closed, ev.Unmergeable = attrs.closed(), attrs.conflicts()
	if attrs.Action == "update" {
		ev.Action = updateAction(fields)
	}
	if added := addedLabels(fields); ev.Action == event.ActionEdited && len(added) > 0 {
		ev.Action, ev.Label, ev.LabelsAdded = event.ActionLabeled, added[0], added
	}
	if tb := fields.Changes.TargetBranch; ev.Action == event.ActionEdited && tb != nil {
		ev.PreviousBaseRef = tb.Previous
	}
	return ev
}

// updateAction tells what an update did: oldrev is set only when it
// pushed commits; a draft change moves the merge request in or out of
// review; anything else is an edit.
func updateAction(fields payload) event.Action {
	draft := fields.Changes.Draft
	switch {
	case fields.ObjectAttributes.OldRev != "":
		return event.ActionSynchronize
	case draft != nil && draft.Previous && !draft.Current:
		return event.ActionReadyForReview
	case draft != nil && !draft.Previous && draft.Current:
		return event.ActionConvertToDraft
	}
	return event.ActionEdited
}

// addedLabels lists the labels an update added, from its changes: GitLab
// reports label changes as updates, and several in one.
func addedLabels(fields payload) []string {
	ch := fields.Changes.Labels
	if ch == nil {
		return nil
	}
	before := titles(ch.Previous)
	var added []string
	for _, l := range titles(ch.Current) {
		if !slices.Contains(before, l) {
			added = append(added, l)
		}
	}
	return added
}

// convertNote maps a Note Hook on a merge request onto a comment event.
func convertNote(fields payload) (event.Event, error) {
	attrs, mr := fields.ObjectAttributes, fields.MergeRequest
	switch {
	case attrs.NoteableType != "MergeRequest":
		return event.Event{}, providers.Ignore("note on %q, not on a merge request", attrs.NoteableType)
	case attrs.System:
		return event.Event{}, providers.Ignore("system note")
	case mr == nil:
		return event.Event{}, providers.BadPayload("note on a merge request without merge_request")
	}
	ev := event.Event{
		Kind:    event.KindComment,
		Action:  noteAction(attrs.Action),
		Repo:    repo(fields.Project),
		Number:  mr.IID,
		Title:   mr.Title,
		Link:    mr.URL,
		Draft:   mr.Draft || mr.WorkInProgress,
		Merged:  mr.State == "merged",
		BaseRef: mr.TargetBranch,
		HeadRef: mr.SourceBranch,
		HeadSHA: mr.LastCommit.ID,
		PullRef: pullRef(mr.IID),
		Labels:  titles(mr.Labels),
		Comment: &event.Comment{ID: noteID(attrs.ID), Body: attrs.Note, Author: fields.User.Username},
		Sender:  fields.User.Username,
		Body:    mr.Description,
		Closed:  mr.closed(),
		// A note's merge_request may lack the merge statuses; unknown is
		// mergeable.
		Unmergeable: mr.conflicts(),
	}
	return ev, scmhook.Validate(ev)
}

func noteAction(action string) event.Action {
	if action == "update" {
		return event.ActionEdited
	}
	return event.ActionCreated
}

func noteID(id int) string {
	if id == 0 {
		return ""
	}
	return strconv.Itoa(id)
}

// repo names a project; in a nested group (a/b/c/repo) the owner is the
// whole group path.
func repo(p project) event.Repo {
	full := p.PathWithNamespace
	owner, name := "", full
	if i := strings.LastIndex(full, "/"); i > 0 {
		owner, name = full[:i], full[i+1:]
	}
	return event.Repo{
		Owner: owner, Name: name, FullName: full,
		CloneURL: p.GitHTTPURL, Link: p.WebURL, DefaultBranch: p.DefaultBranch,
	}
}

func titles(labels []label) []string {
	var out []string
	for _, l := range labels {
		out = append(out, l.Title)
	}
	return out
}

func pullRef(number int) string {
	if number <= 0 {
		return ""
	}
	return fmt.Sprintf("refs/merge-requests/%d/head", number)
}
