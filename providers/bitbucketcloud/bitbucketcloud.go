// Package bitbucketcloud is the Bitbucket Cloud (bitbucket.org) provider:
// it verifies X-Hub-Signature (HMAC-SHA256), parses deliveries with
// go-scm's bitbucket driver and reports build statuses and pull request
// comments through the 2.0 API.
package bitbucketcloud

import (
	"context"
	"net/http"
	"strings"

	"github.com/jenkins-x/go-scm/scm"
	scmbitbucket "github.com/jenkins-x/go-scm/scm/driver/bitbucket"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Kind is the provider kind in settings and hook paths.
const Kind = "bitbucketcloud"

// DefaultURL is the API of bitbucket.org.
const DefaultURL = "https://api.bitbucket.org"

// Options configure one Bitbucket Cloud instance.
type Options struct {
	// Secret is the webhook secret.
	Secret []byte
	// URL is the API base; a trailing /2.0 is accepted and dropped.
	URL string
	// Token is an access token (sent as Bearer) or, with Username, an API
	// token or app password (sent as Basic auth).
	Token    string
	Username string
	// Transport carries API calls; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Provider is one Bitbucket Cloud instance.
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
	_ providers.TrustChecker      = (*Provider)(nil)
	_ providers.CommentEditor     = (*Provider)(nil)
)

func init() {
	providers.Register(Kind, func(cfg providers.Config) (providers.Intake, error) {
		return New(Options{Secret: cfg.Secret, URL: cfg.URL, Token: cfg.Token, Username: cfg.Username})
	})
}

// New returns a Bitbucket Cloud provider.
func New(opts Options) (*Provider, error) {
	opts.URL = strings.TrimSuffix(strings.TrimRight(opts.URL, "/"), "/2.0")
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	client, err := scmbitbucket.New(opts.URL)
	if err != nil {
		return nil, err
	}
	scmclient.Authorize(client, opts.Username, opts.Token, opts.Transport)
	useOwnCalls(client)
	return &Provider{
		Client: &scmclient.Client{SCM: client, Component: "provider/bitbucketcloud"},
		opts:   opts,
		// Without a client: with one, go-scm resolves short hashes through
		// the API while parsing.
		hooks: scmbitbucket.NewWebHookService(),
	}, nil
}

// Verify checks X-Hub-Signature (sha256=...).
func (p *Provider) Verify(_ context.Context, r *http.Request, body []byte) error {
	return providers.VerifyHMAC(p.opts.Secret, body, r.Header.Get("X-Hub-Signature"), false)
}
