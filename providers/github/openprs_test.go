package github

import (
	"context"
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestOpenPullRequests(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /repos/octo-org/hello/pulls": {Status: http.StatusOK, Body: recorded(t, "pulls-list-open.json")},
	})
	p := newAPIProvider(t, api.URL)
	evs, err := p.OpenPullRequests(context.Background(), "octo-org/hello", outageBegan)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("events = %+v, want the one pull request updated since the outage began", evs)
	}
	ev := evs[0]
	if ev.Kind != event.KindPullRequest || ev.Action != event.ActionSynchronize || ev.Number != 7 || ev.Delivery != "" {
		t.Errorf("event = %s %s #%d delivery %q, want pull_request synchronize #7 without a delivery", ev.Kind, ev.Action, ev.Number, ev.Delivery)
	}
	if ev.Repo.FullName != "octo-org/hello" || ev.HeadSHA == "" || ev.BaseRef == "" || ev.Repo.CloneURL == "" {
		t.Errorf("event lacks what selection and launch need: %+v", ev)
	}
	if q := api.Requests()[0].Query; q != "page=1&per_page=100" {
		t.Errorf("query = %q, want the first page of 100 open pull requests", q)
	}
}
