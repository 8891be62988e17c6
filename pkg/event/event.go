// Package event holds the normalized event model that every provider parses
// its webhooks into. Everything after a provider's Parse sees only this.
package event

import (
	"errors"
	"strconv"
	"strings"
)

// IsZeroSHA reports whether sha is the all-zero commit SCMs use for a ref
// that did not exist before a push, or no longer exists after it.
func IsZeroSHA(sha string) bool {
	return sha != "" && strings.Trim(sha, "0") == ""
}

// ErrFilesUnknown says a push's changed files cannot be read (a new
// branch, whose payload names no base to compare with): a job whose rules
// depend on them runs rather than being skipped on a guess.
var ErrFilesUnknown = errors.New("the push's changed files cannot be known")

// Kind is what happened, independent of the SCM that reported it.
type Kind string

// The kinds of event fresnel acts on.
const (
	KindPullRequest Kind = "pull_request"
	KindPush        Kind = "push"
	KindComment     Kind = "comment"
	KindPing        Kind = "ping"
	// KindReview is a review of a pull request, submitted or dismissed:
	// Comment holds its body and reviewer, Review its state.
	KindReview Kind = "review"
)

// Action refines a Kind: what happened to the pull request or comment.
type Action string

// Actions, named as GitHub names them; other providers map onto these.
const (
	ActionOpened         Action = "opened"
	ActionReopened       Action = "reopened"
	ActionSynchronize    Action = "synchronize"
	ActionEdited         Action = "edited"
	ActionClosed         Action = "closed"
	ActionMerged         Action = "merged"
	ActionLabeled        Action = "labeled"
	ActionUnlabeled      Action = "unlabeled"
	ActionReadyForReview Action = "ready_for_review"
	ActionConvertToDraft Action = "converted_to_draft"
	ActionCreated        Action = "created"
	ActionDeleted        Action = "deleted"
	ActionSubmitted      Action = "submitted"
	ActionDismissed      Action = "dismissed"
)

// Review states, as GitHub names them.
const (
	ReviewApproved         = "approved"
	ReviewChangesRequested = "changes_requested"
	ReviewCommented        = "commented"
)

// Repo identifies a repository on one provider instance.
type Repo struct {
	Owner         string `json:"owner"`
	Name          string `json:"name"`
	FullName      string `json:"fullName"`
	CloneURL      string `json:"cloneURL,omitempty"`
	Link          string `json:"link,omitempty"`
	DefaultBranch string `json:"defaultBranch,omitempty"`
}

// Comment is a comment on a pull request, with its author.
type Comment struct {
	ID     string `json:"id,omitempty"`
	Body   string `json:"body"`
	Author string `json:"author"`
}

// Event is one normalized webhook delivery. It is a value: copy it freely,
// never share one to mutate it.
type Event struct {
	Provider string `json:"provider"`
	Instance string `json:"instance"`
	Delivery string `json:"delivery"`
	Kind     Kind   `json:"kind"`
	Action   Action `json:"action,omitempty"`
	Repo     Repo   `json:"repo"`

	// Ref is the full ref a push updated (refs/heads/main, refs/tags/v1).
	Ref string `json:"ref,omitempty"`
	// BaseRef is the target branch name: the PR's base, or the pushed branch.
	BaseRef string `json:"baseRef,omitempty"`
	// BaseSHA is the commit of the base branch, when the payload has it.
	BaseSHA string `json:"baseSHA,omitempty"`
	// HeadRef is the source branch of a pull request.
	HeadRef string `json:"headRef,omitempty"`
	// HeadSHA is the commit under test: the PR's head, or the pushed commit.
	HeadSHA string `json:"headSHA,omitempty"`
	// PullRef is the ref that fetches the pull request's head
	// (refs/pull/1/head on GitHub), when the SCM has one.
	PullRef string `json:"pullRef,omitempty"`

	// Number is the pull request, merge request or change number.
	Number int    `json:"number,omitempty"`
	Title  string `json:"title,omitempty"`
	Link   string `json:"link,omitempty"`
	Draft  bool   `json:"draft,omitempty"`
	Merged bool   `json:"merged,omitempty"`
	// Tag is set for a push of a tag.
	Tag bool `json:"tag,omitempty"`
	// Deleted is set for a push that deleted its ref.
	Deleted bool `json:"deleted,omitempty"`

	Author string `json:"author,omitempty"`
	// Sender is who did what the event reports: who opened, pushed,
	// labelled or commented. It is whose rights a command is checked
	// against; Author is the pull request's author.
	Sender string `json:"sender,omitempty"`
	// Body is the pull request's description.
	Body string `json:"body,omitempty"`
	// Closed marks a pull request that is no longer open (closed, merged,
	// declined, abandoned), also when a comment event is about it.
	Closed bool `json:"closed,omitempty"`
	// Unmergeable marks a pull request the SCM says cannot merge
	// (conflicts with its base). Unknown is false.
	Unmergeable bool `json:"unmergeable,omitempty"`
	// PreviousBaseRef is the base branch an edited pull request had
	// before the edit, when the edit changed it.
	PreviousBaseRef string `json:"previousBaseRef,omitempty"`

	// Review is a review event's state: approved, changes_requested,
	// commented.
	Review string `json:"review,omitempty"`

	Labels []string `json:"labels,omitempty"`
	// Label is the label a labeled event added (the first, when the SCM
	// reports several in one event: GitLab); LabelsAdded lists them all.
	Label       string   `json:"label,omitempty"`
	LabelsAdded []string `json:"labelsAdded,omitempty"`
	Comment     *Comment `json:"comment,omitempty"`

	// ChangedFiles is known for pushes (from their commits). For pull
	// requests it is nil and read from the provider on demand.
	ChangedFiles []string `json:"changedFiles,omitempty"`
	// FilesUnlisted marks a push whose payload names no files (Bitbucket,
	// Gerrit): they are read from the provider on demand, like a pull
	// request's.
	FilesUnlisted bool `json:"filesUnlisted,omitempty"`
}

// IsPullRequest reports whether the event concerns a pull request, either
// directly or through a comment on one.
func (e Event) IsPullRequest() bool { return e.Number > 0 }

// CommitRef returns the commit that results for this event are reported on.
func (e Event) CommitRef() CommitRef {
	return CommitRef{Repo: e.Repo.FullName, SHA: e.HeadSHA, Number: e.Number}
}

// CommitRef names a commit to report a result on.
type CommitRef struct {
	Repo   string `json:"repo"`
	SHA    string `json:"sha"`
	Number int    `json:"number,omitempty"`
}

// Target names a pull request to comment on.
type Target struct {
	Repo   string `json:"repo"`
	Number int    `json:"number"`
}

// String names the event for logs: "pull_request/opened owner/repo#1",
// "push refs/heads/main owner/repo".
func (e Event) String() string {
	s := string(e.Kind) + "/" + string(e.Action) + " " + e.Repo.FullName
	if e.Kind == KindPush {
		s = string(e.Kind) + " " + e.Ref + " " + e.Repo.FullName
	}
	if e.Number > 0 {
		s += "#" + strconv.Itoa(e.Number)
	}
	return s
}

// Added reports whether ev is a labeled event that added label.
func (e Event) Added(label string) bool {
	if e.Action != ActionLabeled {
		return false
	}
	if e.Label == label {
		return true
	}
	for _, l := range e.LabelsAdded {
		if l == label {
			return true
		}
	}
	return false
}

// KindMergeGroup is a merge queue's group of pull requests, made by the SCM
// (GitHub's merge_group) from pull requests already approved to merge:
// BaseRef is the target branch, HeadSHA the group's commit that the
// branch's required presubmits run and report on, HeadRef its temporary
// branch. It has no Number.
const KindMergeGroup Kind = "merge_group"

// ActionChecksRequested asks for a merge group's required checks. A merge
// group that is gone (merged, dequeued or invalidated) is ActionClosed.
const ActionChecksRequested Action = "checks_requested"
