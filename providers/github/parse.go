package github

import (
	"context"
	"net/http"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// handledEvents are the X-GitHub-Event values fresnel acts on.
var handledEvents = map[string]bool{
	"pull_request":  true,
	"push":          true,
	"issue_comment": true,
	"ping":          true,
}

// Parse turns a verified delivery into an event.
func (p *Provider) Parse(ctx context.Context, r *http.Request, body []byte) (event.Event, error) {
	name := r.Header.Get("X-GitHub-Event")
	if name == "" {
		return event.Event{}, providers.BadPayload("missing X-GitHub-Event header")
	}
	if !handledEvents[name] {
		return event.Event{}, providers.Ignore("event %q is not handled", name)
	}
	delivery := r.Header.Get("X-GitHub-Delivery")
	if delivery == "" {
		return event.Event{}, providers.BadPayload("missing X-GitHub-Delivery header")
	}
	hook, err := scmhook.Parse(ctx, p.hooks, r, body)
	if err != nil {
		return event.Event{}, err
	}
	ev, err := convert(hook)
	ev.Provider, ev.Delivery = Kind, delivery
	return ev, err
}
