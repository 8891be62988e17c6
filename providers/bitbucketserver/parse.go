package bitbucketserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// pingEvent is what "Test connection" sends.
const pingEvent = "diagnostics:ping"

// handledEvents are the X-Event-Key values fresnel acts on, besides ping.
var handledEvents = map[string]bool{
	"pr:opened":           true,
	"pr:from_ref_updated": true,
	"pr:modified":         true,
	"pr:merged":           true,
	"pr:declined":         true,
	"pr:deleted":          true,
	"pr:comment:added":    true,
	"repo:refs_changed":   true,
}

// deliveryHeader names the delivery.
const deliveryHeader = "X-Request-Id"

// Parse turns a verified delivery into an event.
func (p *Provider) Parse(ctx context.Context, r *http.Request, body []byte) (event.Event, error) {
	key := r.Header.Get("X-Event-Key")
	if key == "" {
		return event.Event{}, providers.BadPayload("missing X-Event-Key header")
	}
	delivery := scmhook.Delivery(r.Header, key, body, deliveryHeader)
	if key == pingEvent {
		return event.Event{Provider: Kind, Delivery: delivery, Kind: event.KindPing}, providers.Ignore("ping")
	}
	if !handledEvents[key] {
		return event.Event{}, providers.Ignore("event %q is not handled", key)
	}
	ev, err := p.parse(ctx, key, r, body)
	ev.Provider, ev.Delivery = Kind, delivery
	return ev, err
}

func (p *Provider) parse(ctx context.Context, key string, r *http.Request, body []byte) (event.Event, error) {
	if err := providers.RequireObjects(body, requiredObjects[key]...); err != nil {
		return event.Event{}, err
	}
	var fields payload
	if err := json.Unmarshal(body, &fields); err != nil {
		return event.Event{}, providers.BadPayload("%s: %s", key, providers.JSONProblem(err))
	}
	if fields.EventKey != key {
		// go-scm takes a pull request"s action from the body"s eventKey.
		return event.Event{}, providers.BadPayload("X-Event-Key %q but eventKey %q", key, fields.EventKey)
	}
	hook, err := scmhook.Parse(ctx, p.hooks, r, body)
	if err != nil {
		return event.Event{}, err
	}
	return convert(hook, fields)
}

// payload holds what go-scm drops from a delivery.
type payload struct {
	EventKey string `json:"eventKey"`
	// Actor is who acted; slug is the name go-scm gives users.
	Actor *struct {
		Slug string `json:"slug"`
	} `json:"actor"`
	PullRequest *struct {
		Draft       bool   `json:"draft"`
		Description string `json:"description"`
		// State is OPEN, MERGED or DECLINED.
		State string `json:"state"`
	} `json:"pullRequest"`
	// PreviousTarget is set on pr:modified when the edit moved the
	// pull request to another target branch.
	PreviousTarget *struct {
		DisplayID string `json:"displayId"`
	} `json:"previousTarget"`
	Changes []struct {
		FromHash string `json:"fromHash"`
	} `json:"changes"`
}
