// Package gitlab is the GitLab provider (gitlab.com and self-managed): it
// checks X-Gitlab-Token, parses deliveries with go-scm (Note Hooks with its
// own small struct, so parsing never calls the API) and reports commit
// statuses and merge request notes through the REST API.
package gitlab

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/jenkins-x/go-scm/scm"
	scmgitlab "github.com/jenkins-x/go-scm/scm/driver/gitlab"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Kind is the provider kind in settings and hook paths.
const Kind = "gitlab"

// DefaultURL is gitlab.com.
const DefaultURL = "https://gitlab.com"

// Options configure one GitLab instance.
type Options struct {
	// Secret is the webhook's secret token, sent back as X-Gitlab-Token.
	Secret []byte
	// URL is the instance's root (https://gitlab.example.com); a trailing
	// /api/v4 is accepted and dropped.
	URL string
	// Token is a personal, group or project access token (scope api).
	Token string
	// Transport carries API calls; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Provider is one GitLab instance.
type Provider struct {
	*scmclient.Client
	opts  Options
	hooks scm.WebhookService
	// resent holds the hook events already resent (hookevents.go).
	resent sync.Map
}

var (
	_ providers.Intake            = (*Provider)(nil)
	_ providers.StatusReporter    = (*Provider)(nil)
	_ providers.Commenter         = (*Provider)(nil)
	_ providers.ChangeLister      = (*Provider)(nil)
	_ providers.PullRequestReader = (*Provider)(nil)
	_ providers.TrustChecker      = (*Provider)(nil)
	_ providers.Labeler           = (*Provider)(nil)
	_ providers.CommentEditor     = (*Provider)(nil)
)

func init() {
	providers.Register(Kind, func(cfg providers.Config) (providers.Intake, error) {
		return New(Options{Secret: cfg.Secret, URL: cfg.URL, Token: cfg.Token})
	})
}

// New returns a GitLab provider.
func New(opts Options) (*Provider, error) {
	opts.URL = strings.TrimSuffix(strings.TrimRight(opts.URL, "/"), "/api/v4")
	if opts.URL == "" {
		opts.URL = DefaultURL
	}
	client, err := scmgitlab.New(opts.URL)
	if err != nil {
		return nil, err
	}
	scmclient.Authorize(client, "", opts.Token, opts.Transport)
	useOwnCalls(client)
	return &Provider{
		Client: &scmclient.Client{SCM: client, Component: "provider/gitlab", IsDone: statusAlreadySet},
		opts:   opts,
		// Without a client: its Note Hook parsing would call the Users API.
		hooks: scmgitlab.NewWebHookService(),
	}, nil
}

// Verify checks X-Gitlab-Token against the secret, in constant time.
func (p *Provider) Verify(_ context.Context, r *http.Request, _ []byte) error {
	token := r.Header.Get("X-Gitlab-Token")
	if token == "" {
		return providers.Unauthorized("missing X-Gitlab-Token")
	}
	return providers.EqualToken(p.opts.Secret, token)
}
