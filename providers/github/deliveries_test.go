package github

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const (
	deliveriesAPI = "GET /repos/octo-org/hello/hooks/12345678/deliveries"
	hooksAPI      = "GET /repos/octo-org/hello/hooks"
	nextCursor    = "per_page=100&cursor=v1_90000004"
)

// outageBegan is when the recorded deliveries' outage began: the
// delivery at 07:40 failed before it and is left alone.
var outageBegan = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

// deliveryReplies answer a token instance's hook listing and two pages of
// its deliveries.
func deliveryReplies(t testing.TB) map[string]providertest.Reply {
	link := http.Header{"Link": {`<https://api.github.com/repos/octo-org/hello/hooks/12345678/deliveries?` + nextCursor + `>; rel="next"`}}
	return map[string]providertest.Reply{
		hooksAPI:                         {Status: http.StatusOK, Body: recorded(t, "repos-hooks.json")},
		deliveriesAPI + "?per_page=100":  {Status: http.StatusOK, Header: link, Body: recorded(t, "hook-deliveries-page1.json")},
		deliveriesAPI + "?" + nextCursor: {Status: http.StatusOK, Body: recorded(t, "hook-deliveries-page2.json")},
		"POST /repos/octo-org/hello/hooks/12345678/deliveries/90000003/attempts": {Status: http.StatusAccepted, Body: "{}"},
	}
}

func TestRedeliver(t *testing.T) {
	tests := []struct {
		name     string
		hookPath string
		hookID   int64
		app      bool
		extra    map[string]providertest.Reply
		want     int
		wantPOST []string
		noHooks  bool
		notFound bool
	}{
		{name: "token: the hook found by its URL", hookPath: "/hook/github/main", want: 1,
			wantPOST: []string{"/repos/octo-org/hello/hooks/12345678/deliveries/90000003/attempts"}},
		{name: "token: the hook id from settings", hookPath: "/hook/github/main", hookID: 12345678, want: 1, noHooks: true,
			wantPOST: []string{"/repos/octo-org/hello/hooks/12345678/deliveries/90000003/attempts"}},
		{name: "token: no hook delivers to fresnel", hookPath: "/hook/github/missing", notFound: true},
		{name: "app: the App's hook, this repository's failures", hookPath: "/hook/github/main", app: true, want: 1, noHooks: true,
			extra: map[string]providertest.Reply{
				"GET /repos/octo-org/hello":                   {Status: http.StatusOK, Body: recorded(t, "repos-get.json")},
				"GET /app/hook/deliveries":                    {Status: http.StatusOK, Body: recorded(t, "app-hook-deliveries.json")},
				"POST /app/hook/deliveries/91000002/attempts": {Status: http.StatusAccepted, Body: "{}"},
			},
			wantPOST: []string{"/app/hook/deliveries/91000002/attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			replies := deliveryReplies(t)
			for k, v := range tc.extra {
				replies[k] = v
			}
			p, api := newRedeliverProvider(t, replies, tc.app, tc.hookID)
			n, err := p.Redeliver(context.Background(), "octo-org/hello", tc.hookPath, outageBegan)
			if tc.notFound {
				if !errors.Is(err, providers.ErrNotFound) {
					t.Fatalf("err = %v, want one wrapping ErrNotFound", err)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Fatalf("Redeliver = %d, %v; want %d, nil", n, err, tc.want)
			}
			var posts []string
			for _, r := range api.Requests() {
				if r.Method == http.MethodPost && r.Path != "/app/installations/51234567/access_tokens" {
					posts = append(posts, r.Path)
				}
				if tc.noHooks && r.Method+" "+r.Path == hooksAPI {
					t.Errorf("listed the hooks though the hook was known")
				}
			}
			if len(posts) != len(tc.wantPOST) || (len(posts) > 0 && posts[0] != tc.wantPOST[0]) {
				t.Errorf("redelivery requests = %v, want %v", posts, tc.wantPOST)
			}
		})
	}
}

func newRedeliverProvider(t *testing.T, replies map[string]providertest.Reply, app bool, hookID int64) (*Provider, *providertest.API) {
	t.Helper()
	if app {
		ap, api := newTestAppProvider(t, replies)
		return ap.Provider, api
	}
	api := providertest.NewAPI(t, replies)
	p, err := New(Options{Secret: testSecret, URL: api.URL, Token: "ghp-test", HookID: hookID})
	if err != nil {
		t.Fatal(err)
	}
	return p, api
}

func TestNextQuery(t *testing.T) {
	tests := map[string]struct{ link, want string }{
		"next and last": {link: `<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_7>; rel="next", <https://api.github.com/app/hook/deliveries?per_page=100>; rel="first"`, want: "per_page=100&cursor=v1_7"},
		"last page":     {link: `<https://api.github.com/app/hook/deliveries?per_page=100>; rel="first"`, want: ""},
		"no header":     {link: "", want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := nextQuery(tc.link); got != tc.want {
				t.Errorf("nextQuery = %q, want %q", got, tc.want)
			}
		})
	}
}
