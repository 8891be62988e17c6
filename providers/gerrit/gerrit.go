// Package gerrit is the Gerrit provider. Events come from Gerrit's
// webhooks plugin as stream-events JSON, authenticated by a shared token
// (the plugin cannot sign); results go back as review messages with a label
// vote through the REST API (andygrunwald/go-gerrit).
package gerrit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	gogerrit "github.com/andygrunwald/go-gerrit"

	"github.com/fresnel-ci/fresnel/providers"
)

// Kind is the provider kind in settings and hook paths.
const Kind = "gerrit"

// Defaults for the label fresnel votes on.
const (
	DefaultVoteLabel   = "Verified"
	DefaultVoteSuccess = 1
	DefaultVoteFailure = -1
)

// Options configure one Gerrit instance.
type Options struct {
	// Secret is the token deliveries must carry (?token= or Basic auth).
	Secret []byte
	// URL is the base URL of the Gerrit server (https://review.example.com,
	// or https://host/gerrit behind a path prefix).
	URL string
	// CloneURL is the base of repository clone URLs; empty means URL.
	CloneURL string
	// Username and Token are the HTTP credentials of the REST API user.
	Username string
	Token    string
	// CookieName, when set, sends Token as the value of this cookie instead
	// of Basic auth (for sites that authenticate the REST API by cookie).
	CookieName string
	// VoteLabel is the label results are voted on; empty means Verified.
	VoteLabel string
	// VoteSuccess and VoteFailure are the votes for a passed and a failed
	// run; both zero means the defaults +1 and -1.
	VoteSuccess int
	VoteFailure int
	// SkipTrivialRebase ignores patch sets that are trivial rebases.
	SkipTrivialRebase bool
	// SkipNoCodeChange ignores patch sets that change only the commit
	// message, or nothing.
	SkipNoCodeChange bool
	// TrustedGroups are the Gerrit groups whose members (included groups'
	// members too) are trusted; empty means DefaultTrustedGroups.
	TrustedGroups []string
	// Transport carries API calls; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// Provider is one Gerrit instance.
type Provider struct {
	opts   Options
	client *gogerrit.Client
}

var (
	_ providers.Intake         = (*Provider)(nil)
	_ providers.StatusReporter = (*Provider)(nil)
	_ providers.Commenter      = (*Provider)(nil)
	_ providers.ChangeLister   = (*Provider)(nil)
	_ providers.TrustChecker   = (*Provider)(nil)
	_ providers.Labeler        = (*Provider)(nil)
)

func init() {
	providers.Register(Kind, func(cfg providers.Config) (providers.Intake, error) {
		opts, err := optionsFrom(cfg)
		if err != nil {
			return nil, err
		}
		return New(opts)
	})
}

// optionsFrom reads an instance's settings and its string options.
func optionsFrom(cfg providers.Config) (Options, error) {
	opts := Options{
		Secret: cfg.Secret, URL: cfg.URL, Username: cfg.Username, Token: cfg.Token,
		CloneURL: cfg.Options["cloneURL"], CookieName: cfg.Options["cookie"],
		VoteLabel: cfg.Options["voteLabel"], TrustedGroups: groupList(cfg.Options["trustedGroups"]),
	}
	var errs []error
	opts.VoteSuccess = intOption(cfg.Options, "voteSuccess", DefaultVoteSuccess, &errs)
	opts.VoteFailure = intOption(cfg.Options, "voteFailure", DefaultVoteFailure, &errs)
	opts.SkipTrivialRebase = boolOption(cfg.Options, "skipTrivialRebase", &errs)
	opts.SkipNoCodeChange = boolOption(cfg.Options, "skipNoCodeChange", &errs)
	return opts, errors.Join(errs...)
}

func intOption(options map[string]string, key string, def int, errs *[]error) int {
	s, ok := options[key]
	if !ok || s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("option %s: %q is not a whole number", key, s))
	}
	return v
}

func boolOption(options map[string]string, key string, errs *[]error) bool {
	s, ok := options[key]
	if !ok || s == "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("option %s: %q is not true or false", key, s))
	}
	return v
}

// New returns a Gerrit provider. It makes no network call.
func New(opts Options) (*Provider, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	opts.defaults()
	client, err := gogerrit.NewClient(context.Background(), opts.URL, &http.Client{Transport: opts.Transport})
	if err != nil {
		return nil, fmt.Errorf("gerrit: %w", err)
	}
	switch {
	case opts.CookieName != "":
		client.Authentication.SetCookieAuth(opts.CookieName, opts.Token)
	case opts.Token != "":
		client.Authentication.SetBasicAuth(opts.Username, opts.Token)
	}
	return &Provider{opts: opts, client: client}, nil
}

func (o Options) check() error {
	switch {
	case o.URL == "":
		return errors.New("gerrit: url is required: the base URL of the Gerrit server")
	case strings.Contains(o.CookieName, "="):
		return errors.New("gerrit: option cookie names the cookie; its value goes in token")
	case o.CookieName != "" && o.Token == "":
		return errors.New("gerrit: option cookie needs the cookie's value in token")
	case o.CookieName == "" && o.Token != "" && o.Username == "":
		return errors.New("gerrit: token needs username (HTTP credentials are a user and password)")
	}
	return nil
}

func (o *Options) defaults() {
	if o.VoteLabel == "" {
		o.VoteLabel = DefaultVoteLabel
	}
	if o.VoteSuccess == 0 && o.VoteFailure == 0 {
		o.VoteSuccess, o.VoteFailure = DefaultVoteSuccess, DefaultVoteFailure
	}
	if o.CloneURL == "" {
		o.CloneURL = o.URL
	}
	if len(o.TrustedGroups) == 0 {
		o.TrustedGroups = []string{DefaultTrustedGroup}
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
}

// Verify checks the shared token, given as the query parameter ?token= or
// as the password of HTTP Basic auth (the user name is not checked). The
// comparison is constant-time; no token, or a wrong one, is refused.
func (p *Provider) Verify(_ context.Context, r *http.Request, _ []byte) error {
	if token := r.URL.Query().Get("token"); token != "" {
		return providers.EqualToken(p.opts.Secret, token)
	}
	if _, password, ok := r.BasicAuth(); ok {
		return providers.EqualToken(p.opts.Secret, password)
	}
	return providers.Unauthorized("no token: give ?token= in the URL or a Basic auth password")
}
