package github

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// App is a GitHub App fresnel acts as: API calls carry an installation
// token of the App's installation on the repository's owner, minted with
// a JWT signed by the App's private key.
type App struct {
	// ID is the App's id (the "App ID" on its settings page).
	ID int64
	// Key is the App's private key.
	Key *rsa.PrivateKey
}

// ParseAppKey reads a GitHub App's private key, in the PEM form GitHub
// hands out (PKCS#1 "RSA PRIVATE KEY", or PKCS#8).
func ParseAppKey(pem []byte) (*rsa.PrivateKey, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("provider/github: App private key: %w", err)
	}
	return key, nil
}

// Lifetimes of what the App signs and holds. GitHub refuses a JWT that
// lives longer than 10 minutes, and clocks drift: the JWT is dated a
// minute back and lives 9 minutes. An installation token lives an hour;
// it is replaced once less than tokenMargin of it is left.
const (
	jwtBackdate   = time.Minute
	jwtLifetime   = 9 * time.Minute
	tokenMargin   = 5 * time.Minute
	relistBackoff = time.Minute
	// installationPages bounds how many pages of installations are read.
	installationPages = 20
)

// installToken is an installation token and when it expires.
type installToken struct {
	value   string
	expires time.Time
}

// appAuth authorizes API calls as an App: calls to /app/... with a JWT,
// every other call with the installation token of the owner its path
// names (/repos/{owner}/..., /orgs/{org}/..., /users/{user}/...).
type appAuth struct {
	app  App
	base *url.URL // the API base, e.g. https://HOST/api/v3
	next http.RoundTripper
	now  func() time.Time

	mu            sync.Mutex
	installations map[string]int64 // by owner login, lower case
	listedAt      time.Time
	tokens        map[int64]installToken
}

func newAppAuth(app App, apiURL string, next http.RoundTripper) (*appAuth, error) {
	if app.ID <= 0 || app.Key == nil {
		return nil, errors.New("provider/github: a GitHub App needs its id and private key")
	}
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("provider/github: API URL: %w", err)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &appAuth{app: app, base: base, next: next, now: time.Now,
		installations: map[string]int64{}, tokens: map[int64]installToken{}}, nil
}

// RoundTrip adds the App's authorization to r and sends it.
func (a *appAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	path := strings.TrimPrefix(r.URL.Path, a.base.Path)
	var auth string
	var err error
	if path == "/app" || strings.HasPrefix(path, "/app/") {
		auth, err = a.jwt()
	} else {
		auth, err = a.installationAuth(r.Context(), path, r.URL.Query().Get("q"))
	}
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", auth)
	return a.next.RoundTrip(r)
}

// jwt signs a fresh JWT that identifies the App.
func (a *appAuth) jwt() (string, error) {
	now := a.now()
	token, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer:    strconv.FormatInt(a.app.ID, 10),
		IssuedAt:  jwt.NewNumericDate(now.Add(-jwtBackdate)),
		ExpiresAt: jwt.NewNumericDate(now.Add(jwtLifetime)),
	}).SignedString(a.app.Key)
	if err != nil {
		return "", fmt.Errorf("provider/github: sign the App's JWT: %w", err)
	}
	return "Bearer " + token, nil
}

// installationAuth is the Authorization header for a call on path, whose
// search query (for /search/...) is q.
func (a *appAuth) installationAuth(ctx context.Context, path, q string) (string, error) {
	owner := pathOwner(path)
	if owner == "" && strings.HasPrefix(path, "/search/") {
		owner = queryOwner(q)
	}
	if owner == "" {
		return "", fmt.Errorf("provider/github: %s names no repository owner, so no App installation can make the call", path)
	}
	token, err := a.token(ctx, owner)
	if err != nil {
		return "", err
	}
	return "token " + token, nil
}

// pathOwner is the account an API path belongs to: the owner of a
// repository, an organization, a user; "" for any other path.
func pathOwner(path string) string {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if len(parts) < 2 || parts[1] == "" {
		return ""
	}
	switch parts[0] {
	case "repos", "orgs", "users":
		owner, err := url.PathUnescape(parts[1])
		if err != nil {
			return ""
		}
		return strings.ToLower(owner)
	}
	return ""
}

// queryOwner is the account a search query is limited to by its repo:,
// org: or user: qualifier, "" if it names none.
func queryOwner(q string) string {
	for _, term := range strings.Fields(q) {
		key, value, _ := strings.Cut(term, ":")
		switch key {
		case "repo":
			owner, _, _ := strings.Cut(value, "/")
			return strings.ToLower(owner)
		case "org", "user":
			return strings.ToLower(value)
		}
	}
	return ""
}

// token returns a valid installation token for owner, minting one when
// there is none or it expires within tokenMargin. Calls wait for one
// another: a token is minted once, not once per concurrent call.
func (a *appAuth) token(ctx context.Context, owner string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, err := a.installationID(ctx, owner)
	if err != nil {
		return "", err
	}
	if t, ok := a.tokens[id]; ok && a.now().Add(tokenMargin).Before(t.expires) {
		return t.value, nil
	}
	t, err := a.mint(ctx, id)
	if err != nil {
		return "", fmt.Errorf("provider/github: installation token for %s: %w", owner, err)
	}
	a.tokens[id] = t
	return t.value, nil
}

// installationID finds the App's installation on owner, listing the
// App's installations again when owner is not among those known (at most
// once a minute, so that calls about an owner without the App do not
// list them every time). a.mu is held.
func (a *appAuth) installationID(ctx context.Context, owner string) (int64, error) {
	if id, ok := a.installations[owner]; ok {
		return id, nil
	}
	if a.listedAt.IsZero() || a.now().Sub(a.listedAt) >= relistBackoff {
		found, err := a.listInstallations(ctx)
		if err != nil {
			return 0, fmt.Errorf("provider/github: list the App's installations: %w", err)
		}
		a.installations, a.listedAt = found, a.now()
	}
	if id, ok := a.installations[owner]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("provider/github: the GitHub App %d is not installed on %s", a.app.ID, owner)
}

// installation is one entry of GET /app/installations.
type installation struct {
	ID      int64 `json:"id"`
	Account struct {
		Login string `json:"login"`
	} `json:"account"`
}

// listInstallations reads every page of GET /app/installations.
func (a *appAuth) listInstallations(ctx context.Context) (map[string]int64, error) {
	found := map[string]int64{}
	for page := 1; page <= installationPages; page++ {
		var list []installation
		if err := a.call(ctx, http.MethodGet, "/app/installations?per_page=100&page="+strconv.Itoa(page), &list); err != nil {
			return nil, err
		}
		for _, in := range list {
			found[strings.ToLower(in.Account.Login)] = in.ID
		}
		if len(list) < 100 {
			return found, nil
		}
	}
	return found, nil
}

// mint asks POST /app/installations/{id}/access_tokens for a token.
func (a *appAuth) mint(ctx context.Context, id int64) (installToken, error) {
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := a.call(ctx, http.MethodPost, "/app/installations/"+strconv.FormatInt(id, 10)+"/access_tokens", &out); err != nil {
		return installToken{}, err
	}
	if out.Token == "" || out.ExpiresAt.IsZero() {
		return installToken{}, errors.New("the answer has no token or expires_at")
	}
	return installToken{value: out.Token, expires: out.ExpiresAt}, nil
}

// maxAppAnswer bounds how much of an answer to an App call is read.
const maxAppAnswer = 4 << 20

// call sends one JWT-authorized request to the App API and decodes its
// JSON answer into out.
func (a *appAuth) call(ctx context.Context, method, path string, out any) error {
	auth, err := a.jwt()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base.String()+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/vnd.github+json")
	res, err := a.next.RoundTrip(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAppAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s %s: %d %s: %s", method, req.URL.Path, res.StatusCode, http.StatusText(res.StatusCode), strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, req.URL.Path, err)
	}
	return nil
}
