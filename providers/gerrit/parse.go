package gerrit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// message is one stream event, as the webhooks plugin posts it. Only what
// fresnel uses is read; the types below accept every form Gerrit 2.x and
// 3.x send (numbers as strings or ints, project as a string or an object).
type message struct {
	Type string `json:"type"`
	// Project and RefName are top-level only since Gerrit 2.14.
	Project  projectName `json:"project"`
	RefName  string      `json:"refName"`
	Change   *change     `json:"change"`
	PatchSet *patchSet   `json:"patchSet"`
	// Author and Comment are set on comment-added.
	Author  *account `json:"author"`
	Comment string   `json:"comment"`
	// NewRev is the merged commit on change-merged (Gerrit 2.13+).
	NewRev    string     `json:"newRev"`
	Submitter *account   `json:"submitter"`
	RefUpdate *refUpdate `json:"refUpdate"`
	// Who else acted, by event type: patchset-created's uploader,
	// change-abandoned's abandoner, change-restored's restorer,
	// wip-state-changed's and private-state-changed's changer.
	Uploader  *account `json:"uploader"`
	Abandoner *account `json:"abandoner"`
	Restorer  *account `json:"restorer"`
	Changer   *account `json:"changer"`
	// Deferrer is change-deferred's actor (Gerrit builds with deferred
	// changes, such as Qt's).
	Deferrer *account `json:"deferrer"`
}

// actor is who did what the event reports.
func (m *message) actor() *account {
	for _, a := range []*account{m.Author, m.Uploader, m.Abandoner, m.Restorer, m.Changer, m.Deferrer, m.Submitter} {
		if a != nil {
			return a
		}
	}
	return nil
}

type change struct {
	Project projectName `json:"project"`
	Branch  string      `json:"branch"`
	Number  number      `json:"number"`
	Subject string      `json:"subject"`
	Owner   *account    `json:"owner"`
	URL     string      `json:"url"`
	WIP     bool        `json:"wip"`
	Private bool        `json:"private"`
	// CommitMessage is the change's description.
	CommitMessage string `json:"commitMessage"`
	// Open is false once the change is merged or abandoned; Status says
	// which (NEW, MERGED, ABANDONED).
	Open   *bool  `json:"open"`
	Status string `json:"status"`
}

// closed reports a change that is merged or abandoned.
func (c *change) closed() bool {
	if c.Open != nil {
		return !*c.Open
	}
	return c.Status == "MERGED" || c.Status == "ABANDONED" || c.Status == "DEFERRED"
}

type patchSet struct {
	Number   number `json:"number"`
	Revision string `json:"revision"`
	Ref      string `json:"ref"`
	Kind     string `json:"kind"`
	IsDraft  bool   `json:"isDraft"`
}

type refUpdate struct {
	OldRev  string      `json:"oldRev"`
	NewRev  string      `json:"newRev"`
	RefName string      `json:"refName"`
	Project projectName `json:"project"`
}

type account struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Username string `json:"username"`
}

// login names an account for OWNERS and command checks: its user name, or
// its email where the event has no user name.
func (a *account) login() string {
	if a == nil {
		return ""
	}
	if a.Username != "" {
		return a.Username
	}
	return a.Email
}

// number reads a JSON number or a string of digits (Gerrit 2.x quotes
// change and patch set numbers).
type number int

func (n *number) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		// A type error, so that the decoder names the field.
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[int]()}
	}
	*n = number(v)
	return nil
}

// jsonKind names the kind of a JSON value as the decoder's type errors do.
func jsonKind(b []byte) string {
	switch b[0] {
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "number"
}

// projectName reads a project given as "name" or as {"name": "..."}.
type projectName string

func (p *projectName) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Name string `json:"name"`
		}
		err := json.Unmarshal(b, &o)
		*p = projectName(o.Name)
		return err
	}
	var s string
	err := json.Unmarshal(b, &s)
	*p = projectName(s)
	return err
}

// Parse turns a verified delivery into an event. The delivery id is a hash
// of the body, so a redelivered event gets the same id; for a push, a hash
// of the project, ref and new commit, so the change-merged and ref-updated
// events Gerrit sends for one merge start its postsubmits once.
func (p *Provider) Parse(ctx context.Context, _ *http.Request, body []byte) (event.Event, error) {
	ev, err := p.parse(ctx, body)
	ev.Provider, ev.Delivery = Kind, deliveryID(body)
	if err == nil && ev.Kind == event.KindPush && ev.HeadSHA != "" {
		ev.Delivery = deliveryID([]byte("push\x00" + ev.Repo.FullName + "\x00" + ev.Ref + "\x00" + ev.HeadSHA))
	}
	return ev, err
}

func (p *Provider) parse(ctx context.Context, body []byte) (event.Event, error) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return event.Event{}, providers.BadPayload("gerrit event: %s", providers.JSONProblem(err))
	}
	if m.Type == "" {
		return event.Event{}, providers.BadPayload("gerrit event without a type")
	}
	convert, ok := converters[m.Type]
	if !ok {
		return event.Event{}, providers.Ignore("event %q is not handled", m.Type)
	}
	if err := p.withCurrentPatchSet(ctx, &m); err != nil {
		return event.Event{}, err
	}
	ev, err := convert(p, &m)
	if err != nil {
		return ev, err
	}
	return ev, scmhook.Validate(ev)
}

// deliveryID is the first 32 hex digits of the body's SHA-256.
func deliveryID(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])[:32]
}
