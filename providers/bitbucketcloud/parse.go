package bitbucketcloud

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// handledEvents are the X-Event-Key values fresnel acts on.
var handledEvents = map[string]bool{
	"pullrequest:created":         true,
	"pullrequest:updated":         true,
	"pullrequest:fulfilled":       true,
	"pullrequest:rejected":        true,
	"pullrequest:comment_created": true,
	"repo:push":                   true,
}

// deliveryHeader names the delivery.
const deliveryHeader = "X-Request-UUID"

// Parse turns a verified delivery into an event.
func (p *Provider) Parse(ctx context.Context, r *http.Request, body []byte) (event.Event, error) {
	key := r.Header.Get("X-Event-Key")
	if key == "" {
		return event.Event{}, providers.BadPayload("missing X-Event-Key header")
	}
	if !handledEvents[key] {
		return event.Event{}, providers.Ignore("event %q is not handled", key)
	}
	ev, err := p.parse(ctx, key, r, body)
	ev.Provider, ev.Delivery = Kind, scmhook.Delivery(r.Header, key, body, deliveryHeader)
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
	hook, err := p.parseHook(ctx, key, r, body)
	if err != nil {
		return event.Event{}, err
	}
	return convert(hook, fields)
}

// payload holds what go-scm drops from a delivery.
type payload struct {
	Actor       account `json:"actor"`
	PullRequest struct {
		Draft bool `json:"draft"`
		// State is OPEN, MERGED, DECLINED or SUPERSEDED.
		State       string `json:"state"`
		Description string `json:"description"`
		Destination struct {
			Commit struct {
				Hash string `json:"hash"`
			} `json:"commit"`
		} `json:"destination"`
	} `json:"pullrequest"`
	Push struct {
		Changes []struct {
			Old *struct {
				Target struct {
					Hash string `json:"hash"`
				} `json:"target"`
			} `json:"old"`
		} `json:"changes"`
	} `json:"push"`
}

type account struct {
	AccountID string `json:"account_id"`
}
