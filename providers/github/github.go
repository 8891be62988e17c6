// Package github is the GitHub and GitHub Enterprise provider: it verifies
// X-Hub-Signature-256, parses deliveries with go-scm and reports commit
// statuses (with a token) or check runs (as a GitHub App, app.go) and
// comments through the REST API.
package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jenkins-x/go-scm/scm"
	scmgithub "github.com/jenkins-x/go-scm/scm/driver/github"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Kind is the provider kind in settings and hook paths.
const Kind = "github"

// DefaultURL is the API of github.com.
const DefaultURL = "https://api.github.com"

// Options configure one GitHub instance.
type Options struct {
	// Secret is the webhook secret.
	Secret []byte
	// AllowSHA1 also accepts the legacy X-Hub-Signature (HMAC-SHA1) header.
	AllowSHA1 bool
	// URL is the API base: https://api.github.com or https://HOST/api/v3.
	URL string
	// Token is a personal access token or installation token.
	Token string
	// App, when set, makes API calls as a GitHub App installation instead
	// of with Token.
	App *App
	// Transport carries API calls; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// HookID is the repository webhook whose deliveries catch-up reads
	// (the hookID option); 0 finds it by its URL.
	HookID int64
}

// Provider is one GitHub instance.
type Provider struct {
	*scmclient.Client
	opts  Options
	hooks scm.WebhookService
}

var (
	_ providers.Intake            = (*Provider)(nil)
	_ providers.StatusReporter    = (*Provider)(nil)
	_ providers.Commenter         = (*Provider)(nil)
	_ providers.ChangeLister      = (*Provider)(nil)
	_ providers.PullRequestReader = (*Provider)(nil)
	_ providers.EventRequester    = (*Provider)(nil)
	_ providers.TrustChecker      = (*Provider)(nil)
	_ providers.Labeler           = (*Provider)(nil)
	_ providers.CommentEditor     = (*Provider)(nil)
)

func init() {
	providers.Register(Kind, newFromConfig)
}

// newFromConfig builds an instance from settings: an AppProvider when an
// App is configured, else a Provider calling the API with the token.
func newFromConfig(cfg providers.Config) (providers.Intake, error) {
	opts := Options{Secret: cfg.Secret, URL: cfg.URL, Token: cfg.Token}
	opts.AllowSHA1, _ = strconv.ParseBool(cfg.Options["allowSHA1"])
	if v := cfg.Options["hookID"]; v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("provider/github: option hookID %q is not a hook id", v)
		}
		opts.HookID = id
	}
	if cfg.AppID == 0 && len(cfg.AppKey) == 0 {
		return New(opts)
	}
	key, err := ParseAppKey(cfg.AppKey)
	if err != nil {
		return nil, err
	}
	opts.App = &App{ID: cfg.AppID, Key: key}
	return NewApp(opts)
}

// New returns a GitHub provider.
func New(opts Options) (*Provider, error) {
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	client, err := scmgithub.New(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.App != nil {
		auth, err := newAppAuth(*opts.App, opts.URL, opts.Transport)
		if err != nil {
			return nil, err
		}
		scmclient.Authorize(client, "", "", auth)
	} else {
		scmclient.Authorize(client, "", opts.Token, opts.Transport)
	}
	return &Provider{
		Client: &scmclient.Client{SCM: client, Component: "provider/github"},
		opts:   opts,
		hooks:  scmgithub.NewWebHookService(),
	}, nil
}

// Verify checks X-Hub-Signature-256, or X-Hub-Signature (SHA-1) when the
// instance allows it.
func (p *Provider) Verify(_ context.Context, r *http.Request, body []byte) error {
	if sig := r.Header.Get("X-Hub-Signature-256"); sig != "" {
		return providers.VerifyHMAC(p.opts.Secret, body, sig, false)
	}
	if p.opts.AllowSHA1 {
		return providers.VerifyHMAC(p.opts.Secret, body, r.Header.Get("X-Hub-Signature"), true)
	}
	return providers.Unauthorized("missing X-Hub-Signature-256")
}
