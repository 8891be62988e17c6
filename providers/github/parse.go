package github

import (
	"bytes"
	"context"
	"fmt"
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
	reviewEvent:     true,
	mergeGroupEvent: true,
	checkRunEvent:   true,
	checkSuiteEvent: true,
}

// ownParsers read the events go-scm does not know, by X-GitHub-Event.
var ownParsers = map[string]func(body []byte) (event.Event, error){
	reviewEvent:     parseReview,
	mergeGroupEvent: parseMergeGroup,
}

// ownParser is the parser of an event go-scm does not know or reads
// wrongly, if fresnel has one.
func (p *Provider) ownParser(name string) (func(body []byte) (event.Event, error), bool) {
	switch name {
	case checkRunEvent:
		return p.parseCheckRun, true
	case checkSuiteEvent:
		return p.parseCheckSuite, true
	}
	parse, ok := ownParsers[name]
	return parse, ok
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
	if parse, ok := p.ownParser(name); ok {
		ev, err := parse(body)
		ev.Provider, ev.Delivery = Kind, delivery
		return ev, err
	}
	hook, err := scmhook.Parse(ctx, p.hooks, r, body)
	if err != nil {
		return event.Event{}, err
	}
	ev, err := convert(hook, body)
	ev.Provider, ev.Delivery = Kind, delivery
	return ev, err
}

// EventRequest builds the request GitHub would send for a delivery of
// event (an X-GitHub-Event value); its delivery id is a hash of event and
// body, so the same payload always gets the same one.
func (p *Provider) EventRequest(name string, body []byte) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPost, "/hook/"+Kind, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("provider/github: %w", err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", name)
	r.Header.Set("X-GitHub-Delivery", scmhook.Delivery(r.Header, name, body))
	return r, nil
}
