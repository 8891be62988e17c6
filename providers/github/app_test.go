package github

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const (
	testAppID        = 424242
	recordedToken    = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	installationsAPI = "GET /app/installations"
	orgTokenAPI      = "POST /app/installations/51234567/access_tokens"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// appKey is one RSA key for every test: making one takes a while.
func appKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

// appReplies answers the App endpoints from recorded shapes.
func appReplies(t testing.TB) map[string]providertest.Reply {
	return map[string]providertest.Reply{
		installationsAPI: {Status: http.StatusOK, Body: recorded(t, "app-installations.json")},
		orgTokenAPI:      {Status: http.StatusCreated, Body: recorded(t, "installation-token.json")},
		"POST /app/installations/51239999/access_tokens": {Status: http.StatusCreated, Body: recorded(t, "installation-token.json")},
		"GET /repos/octo-org/hello/collaborators/hubot":  {Status: http.StatusNoContent},
		"GET /orgs/octo-org/members/hubot":               {Status: http.StatusNoContent},
		"GET /repos/hubot/dotfiles/collaborators/mona":   {Status: http.StatusNoContent},
		"GET /search/issues":                             {Status: http.StatusOK, Body: `{"total_count": 1, "incomplete_results": false, "items": []}`},
		"GET /repos/OCTO-ORG/hello/collaborators/hubot":  {Status: http.StatusNoContent},
	}
}

// newTestAppAuth is an App transport to api whose clock reads *now.
func newTestAppAuth(t testing.TB, api string, now *time.Time) *appAuth {
	t.Helper()
	a, err := newAppAuth(App{ID: testAppID, Key: appKey(t)}, api, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.now = func() time.Time { return *now }
	return a
}

func get(t testing.TB, rt http.RoundTripper, url string) error {
	t.Helper()
	res, err := (&http.Client{Transport: rt}).Get(url)
	if err == nil {
		res.Body.Close()
	}
	return err
}

func count(reqs []providertest.Request, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func TestAppInstallationTokens(t *testing.T) {
	now := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// calls are paths called in order, with the clock moved by the
		// duration before each.
		calls     []string
		advance   []time.Duration
		wantMints int
		wantLists int
		// wantErr, when set, is what every call's error says.
		wantErr string
	}{
		{name: "a token is minted once and reused", calls: []string{"/repos/octo-org/hello/collaborators/hubot", "/orgs/octo-org/members/hubot"},
			advance: []time.Duration{0, 10 * time.Minute}, wantMints: 1, wantLists: 1},
		{name: "owner logins match whatever their case", calls: []string{"/repos/OCTO-ORG/hello/collaborators/hubot"},
			advance: []time.Duration{0}, wantMints: 1, wantLists: 1},
		{name: "a token within five minutes of expiring is replaced", calls: []string{"/repos/octo-org/hello/collaborators/hubot", "/repos/octo-org/hello/collaborators/hubot"},
			advance: []time.Duration{0, 56 * time.Minute}, wantMints: 2, wantLists: 1},
		{name: "each installation has its own token", calls: []string{"/repos/octo-org/hello/collaborators/hubot", "/repos/hubot/dotfiles/collaborators/mona"},
			advance: []time.Duration{0, 0}, wantMints: 2, wantLists: 1},
		{name: "an owner without the App is an error, listed again only after a minute", calls: []string{"/repos/acme/x/collaborators/a", "/repos/acme/x/collaborators/a", "/repos/acme/x/collaborators/a"},
			advance: []time.Duration{0, 30 * time.Second, time.Minute}, wantLists: 2, wantErr: "not installed on acme"},
		{name: "a search limited to a repository uses its owner's installation", calls: []string{"/search/issues?q=is%3Apr+repo%3Aocto-org%2Fhello+author%3Ahubot"},
			advance: []time.Duration{0}, wantMints: 1, wantLists: 1},
		{name: "a path without an owner cannot be authorized", calls: []string{"/user"},
			advance: []time.Duration{0}, wantErr: "names no repository owner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, appReplies(t))
			clock := now
			auth := newTestAppAuth(t, api.URL, &clock)
			for i, path := range tc.calls {
				clock = clock.Add(tc.advance[i])
				err := get(t, auth, api.URL+path)
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("call %d: err = %v, want one saying %q", i, err, tc.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("call %d %s: %v", i, path, err)
				}
			}
			reqs := api.Requests()
			mints := count(reqs, http.MethodPost, "/app/installations/51234567/access_tokens") + count(reqs, http.MethodPost, "/app/installations/51239999/access_tokens")
			if mints != tc.wantMints {
				t.Errorf("%d tokens minted, want %d", mints, tc.wantMints)
			}
			if lists := count(reqs, http.MethodGet, "/app/installations"); lists != tc.wantLists {
				t.Errorf("installations listed %d times, want %d", lists, tc.wantLists)
			}
			for _, r := range reqs {
				if !strings.HasPrefix(r.Path, "/app/") && r.Auth != "token "+recordedToken {
					t.Errorf("%s %s: Authorization %q, want the installation token", r.Method, r.Path, r.Auth)
				}
			}
		})
	}
}

// TestAppJWT checks what GitHub checks of the JWT on App calls: signed
// RS256 by the App's key, issued by the App's id, dated back for clock
// drift and living less than ten minutes.
func TestAppJWT(t *testing.T) {
	api := providertest.NewAPI(t, appReplies(t))
	now := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
	if err := get(t, newTestAppAuth(t, api.URL, &now), api.URL+"/orgs/octo-org/members/hubot"); err != nil {
		t.Fatal(err)
	}
	for _, r := range api.Requests() {
		if !strings.HasPrefix(r.Path, "/app/") {
			continue
		}
		raw, ok := strings.CutPrefix(r.Auth, "Bearer ")
		if !ok {
			t.Fatalf("%s %s: Authorization %q, want a Bearer JWT", r.Method, r.Path, r.Auth)
		}
		var claims jwt.RegisteredClaims
		_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return &appKey(t).PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
		if err != nil {
			t.Fatalf("%s %s: JWT: %v", r.Method, r.Path, err)
		}
		if claims.Issuer != "424242" {
			t.Errorf("iss = %q, want the App id", claims.Issuer)
		}
		if life := claims.ExpiresAt.Sub(claims.IssuedAt.Time); life > 10*time.Minute {
			t.Errorf("the JWT lives %v; GitHub refuses more than 10m", life)
		}
		if !claims.IssuedAt.Before(now) {
			t.Errorf("iat = %v, want before now (%v) for clock drift", claims.IssuedAt, now)
		}
	}
}

// TestAppOnEnterprise: on GitHub Enterprise Server the API lives under
// /api/v3, for the App's own calls and the installation's alike.
func TestAppOnEnterprise(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET /api/v3/app/installations":                         {Status: http.StatusOK, Body: recorded(t, "app-installations.json")},
		"POST /api/v3/app/installations/51234567/access_tokens": {Status: http.StatusCreated, Body: recorded(t, "installation-token.json")},
		"GET /api/v3/repos/octo-org/hello/collaborators/hubot":  {Status: http.StatusNoContent},
	})
	p, err := New(Options{Secret: testSecret, URL: api.URL + "/api/v3", App: &App{ID: testAppID, Key: appKey(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := p.IsCollaborator(t.Context(), "octo-org/hello", "hubot")
	if err != nil || !ok {
		t.Fatalf("IsCollaborator = %v, %v; want true", ok, err)
	}
	last := api.Requests()[len(api.Requests())-1]
	if last.Auth != "token "+recordedToken {
		t.Errorf("Authorization %q, want the installation token", last.Auth)
	}
}

func TestAppMintRefused(t *testing.T) {
	replies := appReplies(t)
	replies[orgTokenAPI] = providertest.Reply{Status: http.StatusUnauthorized, Body: recorded(t, "jwt-expired.json")}
	api := providertest.NewAPI(t, replies)
	now := time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)
	err := get(t, newTestAppAuth(t, api.URL, &now), api.URL+"/orgs/octo-org/members/hubot")
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "installation token for octo-org") {
		t.Fatalf("err = %v, want the 401 of minting a token for octo-org", err)
	}
	if n := count(api.Requests(), http.MethodGet, "/orgs/octo-org/members/hubot"); n != 0 {
		t.Errorf("the call went out %d times without a token", n)
	}
}

func TestParseAppKey(t *testing.T) {
	key := appKey(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pem     []byte
		wantErr bool
	}{
		{name: "PKCS#1, as GitHub hands it out", pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})},
		{name: "PKCS#8", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})},
		{name: "not PEM", pem: []byte("ghp_not-a-key"), wantErr: true},
		{name: "empty", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAppKey(tc.pem)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %t", err, tc.wantErr)
			}
			if err == nil && !got.Equal(key) {
				t.Error("the key read is not the key written")
			}
		})
	}
}

// TestNewFromConfig: settings with an App build an AppProvider, which
// reports checks; settings with a token build a Provider, which does not;
// a bad App is refused at start.
func TestNewFromConfig(t *testing.T) {
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(appKey(t))})
	tests := []struct {
		name       string
		cfg        providers.Config
		wantChecks bool
		wantErr    string
	}{
		{name: "a token", cfg: providers.Config{Kind: Kind, Name: "a", Secret: testSecret, Token: "ghp_x"}},
		{name: "an App", cfg: providers.Config{Kind: Kind, Name: "a", Secret: testSecret, AppID: testAppID, AppKey: keyPEM}, wantChecks: true},
		{name: "an App whose key is not a key", cfg: providers.Config{Kind: Kind, Name: "a", Secret: testSecret, AppID: testAppID, AppKey: []byte("nope")}, wantErr: "App private key"},
		{name: "an App key without an id", cfg: providers.Config{Kind: Kind, Name: "a", Secret: testSecret, AppKey: keyPEM}, wantErr: "needs its id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := providers.New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, checks := p.(providers.Checker); checks != tc.wantChecks {
				t.Errorf("reports checks: %v, want %v", checks, tc.wantChecks)
			}
		})
	}
}
