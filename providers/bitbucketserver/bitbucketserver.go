// Package bitbucketserver is the Bitbucket Data Center (formerly Server)
// provider: it verifies X-Hub-Signature (HMAC-SHA256), parses deliveries
// with go-scm's stash driver and reports build statuses and pull request
// comments through the REST API.
package bitbucketserver

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/jenkins-x/go-scm/scm"
	scmstash "github.com/jenkins-x/go-scm/scm/driver/stash"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Kind is the provider kind in settings and hook paths.
const Kind = "bitbucketserver"

// Options configure one Bitbucket Data Center instance.
type Options struct {
	// Secret is the webhook secret.
	Secret []byte
	// URL is the server's base URL (https://bitbucket.example.com, or with
	// its context path); required.
	URL string
	// Token is an HTTP access token (sent as Bearer) or, with Username, a
	// password or token sent as Basic auth.
	Token    string
	Username string
	// Transport carries API calls; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Provider is one Bitbucket Data Center instance.
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

// New returns a Bitbucket Data Center provider.
func New(opts Options) (*Provider, error) {
	opts.URL = strings.TrimRight(opts.URL, "/")
	if opts.URL == "" {
		return nil, errors.New("bitbucketserver needs the server's url")
	}
	client, err := scmstash.New(opts.URL)
	if err != nil {
		return nil, err
	}
	scmclient.Authorize(client, opts.Username, opts.Token, opts.Transport)
	useOwnCalls(client)
	return &Provider{
		Client: &scmclient.Client{SCM: client, Component: "provider/bitbucketserver"},
		opts:   opts,
		hooks:  scmstash.NewWebHookService(),
	}, nil
}

// Verify checks X-Hub-Signature (sha256=...).
func (p *Provider) Verify(_ context.Context, r *http.Request, body []byte) error {
	return providers.VerifyHMAC(p.opts.Secret, body, r.Header.Get("X-Hub-Signature"), false)
}
