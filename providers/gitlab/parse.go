package gitlab

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// The X-Gitlab-Event values fresnel acts on.
const (
	mergeRequestHook = "Merge Request Hook"
	pushHook         = "Push Hook"
	tagPushHook      = "Tag Push Hook"
	noteHook         = "Note Hook"
)

var handledEvents = map[string]bool{
	mergeRequestHook: true,
	pushHook:         true,
	tagPushHook:      true,
	noteHook:         true,
}

// handledMergeRequestActions are the object_attributes.action values of a
// Merge Request Hook that fresnel acts on ("" is an old GitLab's open).
// Others (approved, unapproved, approval, unapproval) are ignored.
var handledMergeRequestActions = map[string]bool{
	"": true, "open": true, "reopen": true, "update": true, "close": true, "merge": true,
}

// deliveryHeaders name the delivery, best first: Idempotency-Key (GitLab
// 17.4+) stays the same when a delivery is resent, X-Gitlab-Event-UUID
// does not.
var deliveryHeaders = []string{"Idempotency-Key", "X-Gitlab-Event-UUID"}

// Parse turns a verified delivery into an event.
func (p *Provider) Parse(ctx context.Context, r *http.Request, body []byte) (event.Event, error) {
	name := r.Header.Get("X-Gitlab-Event")
	if name == "" {
		return event.Event{}, providers.BadPayload("missing X-Gitlab-Event header")
	}
	if !handledEvents[name] {
		return event.Event{}, providers.Ignore("event %q is not handled", name)
	}
	ev, err := p.parse(ctx, name, r, body)
	ev.Provider, ev.Delivery = Kind, scmhook.Delivery(r.Header, name, body, deliveryHeaders...)
	return ev, err
}

func (p *Provider) parse(ctx context.Context, name string, r *http.Request, body []byte) (event.Event, error) {
	if err := providers.RequireObjects(body, requiredObjects[name]...); err != nil {
		return event.Event{}, err
	}
	var fields payload
	if err := json.Unmarshal(body, &fields); err != nil {
		return event.Event{}, providers.BadPayload("%s: %s", name, providers.JSONProblem(err))
	}
	switch {
	case name == noteHook:
		// Never through go-scm: it looks both authors up in the Users API.
		return convertNote(fields)
	case name == mergeRequestHook && !handledMergeRequestActions[fields.ObjectAttributes.Action]:
		return event.Event{}, providers.Ignore("merge request action %q is not handled", fields.ObjectAttributes.Action)
	}
	hook, err := scmhook.Parse(ctx, p.hooks, r, body)
	if err != nil {
		return event.Event{}, err
	}
	return convert(hook, fields)
}

// payload holds what fresnel reads from a delivery itself: all of a Note
// Hook, and what go-scm drops from the others.
type payload struct {
	Before string `json:"before"`
	// A push hook lists at most 20 commits of total_commits_count.
	Commits           []json.RawMessage `json:"commits"`
	TotalCommitsCount int               `json:"total_commits_count"`

	User user `json:"user"`
	// UserUsername is who pushed, in a Push Hook.
	UserUsername     string        `json:"user_username"`
	Project          project       `json:"project"`
	ObjectAttributes attributes    `json:"object_attributes"`
	MergeRequest     *mergeRequest `json:"merge_request"`
	Labels           []label       `json:"labels"`
	Changes          struct {
		Draft *struct {
			Previous bool `json:"previous"`
			Current  bool `json:"current"`
		} `json:"draft"`
		TargetBranch *struct {
			Previous string `json:"previous"`
		} `json:"target_branch"`
		Labels *struct {
			Previous []label `json:"previous"`
			Current  []label `json:"current"`
		} `json:"labels"`
	} `json:"changes"`
}

type user struct {
	Username string `json:"username"`
}

type project struct {
	PathWithNamespace string `json:"path_with_namespace"`
	WebURL            string `json:"web_url"`
	GitHTTPURL        string `json:"git_http_url"`
	DefaultBranch     string `json:"default_branch"`
}

// attributes are object_attributes: a merge request's in a Merge Request
// Hook, a note's in a Note Hook.
type attributes struct {
	Action         string `json:"action"`
	OldRev         string `json:"oldrev"`
	TargetBranch   string `json:"target_branch"`
	SourceBranch   string `json:"source_branch"`
	Draft          bool   `json:"draft"`
	WorkInProgress bool   `json:"work_in_progress"`
	mergeState

	ID           int    `json:"id"`
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"`
	System       bool   `json:"system"`
}

// mergeRequest is the merge_request a Note Hook is about.
type mergeRequest struct {
	IID            int     `json:"iid"`
	Title          string  `json:"title"`
	URL            string  `json:"url"`
	SourceBranch   string  `json:"source_branch"`
	TargetBranch   string  `json:"target_branch"`
	Draft          bool    `json:"draft"`
	WorkInProgress bool    `json:"work_in_progress"`
	Labels         []label `json:"labels"`
	mergeState
	LastCommit struct {
		ID string `json:"id"`
	} `json:"last_commit"`
}

// mergeState is what a merge request's attributes say of its state and
// mergeability, and its description.
type mergeState struct {
	State       string `json:"state"`
	Description string `json:"description"`
	// MergeStatus is deprecated for DetailedMergeStatus; hooks carry one
	// or both.
	MergeStatus         string `json:"merge_status"`
	DetailedMergeStatus string `json:"detailed_merge_status"`
}

// closed reports a merge request that is not open (closed, merged, locked).
func (m mergeState) closed() bool { return m.State != "" && m.State != "opened" }

// conflicts reports a merge request GitLab says cannot merge. The
// detailed status, when there is one, is the current word: merge_status
// keeps its last value while GitLab checks again.
func (m mergeState) conflicts() bool {
	status := cmp.Or(m.DetailedMergeStatus, m.MergeStatus)
	return scm.ToMergeableState(status) == scm.MergeableStateConflicting
}

type label struct {
	Title string `json:"title"`
}
