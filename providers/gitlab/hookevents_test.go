package gitlab

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// The recorded answers of GET /projects/:id/hooks, GET
// .../hooks/:hook_id/events?status=server_failure (GitLab 17.6), GET
// /projects/:id and GET .../merge_requests are in testdata/api, in the
// shapes GitLab's REST reference documents; ids are made up.
const (
	apiProject  = "/api/v4/projects/acme%2Fplatform%2Fapi"
	hookEvents  = "GET " + apiProject + "/hooks/3/events"
	resendFirst = "POST " + apiProject + "/hooks/3/events/1502/resend"
	resendOther = "POST " + apiProject + "/hooks/3/events/1498/resend"
)

var outageBegan = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

func TestRedeliver(t *testing.T) {
	tests := []struct {
		name     string
		hookPath string
		events   providertest.Reply
		rounds   int
		want     []int
		notFound bool
	}{
		{name: "server failures resent once each, across rounds", hookPath: "/hook/gitlab/main", rounds: 2, want: []int{2, 0},
			events: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "hook-events-server-failure.json")}},
		{name: "no hook delivers to fresnel", hookPath: "/hook/gitlab/missing", rounds: 1, notFound: true},
		{name: "GitLab before 17.4 has no hook events API", hookPath: "/hook/gitlab/main", rounds: 1, notFound: true,
			events: providertest.Reply{Status: http.StatusNotFound, Body: recorded(t, "not-found.json")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{
				"GET " + apiProject + "/hooks": {Status: http.StatusOK, Body: recorded(t, "project-hooks.json")},
				hookEvents:                     tc.events,
				resendFirst:                    {Status: http.StatusCreated, Body: `{"response_status": "200"}`},
				resendOther:                    {Status: http.StatusCreated, Body: `{"response_status": "200"}`},
			})
			p := newTestProvider(t, api.URL)
			for round := range tc.rounds {
				n, err := p.Redeliver(context.Background(), "acme/platform/api", tc.hookPath, outageBegan)
				if tc.notFound {
					if !errors.Is(err, providers.ErrNotFound) {
						t.Fatalf("err = %v, want one wrapping ErrNotFound", err)
					}
					continue
				}
				if err != nil || n != tc.want[round] {
					t.Fatalf("round %d: Redeliver = %d, %v; want %d", round, n, err, tc.want[round])
				}
			}
			resent := 0
			for _, r := range api.Requests() {
				if r.Method == http.MethodPost {
					resent++
				}
				if r.Method+" "+r.Path == hookEvents && r.Query != "status=server_failure&per_page=100&page=1" {
					t.Errorf("events query = %q, want the first page of server failures", r.Query)
				}
			}
			if want := sum(tc.want); resent != want {
				t.Errorf("resend calls = %d, want %d", resent, want)
			}
		})
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func TestOpenPullRequests(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + apiProject:                     {Status: http.StatusOK, Body: recorded(t, "project.json")},
		"GET " + apiProject + "/merge_requests": {Status: http.StatusOK, Body: recorded(t, "merge-requests-opened.json")},
	})
	p := newTestProvider(t, api.URL)
	evs, err := p.OpenPullRequests(context.Background(), "acme/platform/api", outageBegan)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("events = %+v, want one", evs)
	}
	ev := evs[0]
	if ev.Kind != event.KindPullRequest || ev.Action != event.ActionSynchronize || ev.Number != 7 || ev.HeadSHA != "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c" {
		t.Errorf("event = %+v, want merge request !7 at its head as a synchronize", ev)
	}
	if ev.Repo.FullName != "acme/platform/api" || ev.Repo.CloneURL != "https://gitlab.example.com/acme/platform/api.git" || ev.BaseRef != "main" || ev.PullRef != "refs/merge-requests/7/head" {
		t.Errorf("event lacks what launch needs: %+v", ev)
	}
	list := api.Requests()[1]
	if list.Query != "page=1&per_page=100&state=opened&updated_after=2026-12-07T08%3A00%3A00Z" {
		t.Errorf("list query = %q, want open merge requests updated since the outage", list.Query)
	}
}
