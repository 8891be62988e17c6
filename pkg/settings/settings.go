// Package settings reads fresnel.yaml: provider instances and where their
// secrets come from, the namespace for PipelineRuns, the Prow files and the
// server's limits.
package settings

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/fresnel-ci/fresnel/providers"
)

// Settings is fresnel.yaml.
type Settings struct {
	// Namespace is where PipelineRuns are created.
	Namespace string `json:"namespace"`
	// Prow names the Prow-compatible configuration files.
	Prow ProwFiles `json:"prow"`
	// Providers are the SCM instances webhooks come from.
	Providers []Provider `json:"providers"`
	Server    Server     `json:"server"`
	Kube      Kube       `json:"kube"`
	Report    Report     `json:"report"`
	// InRepoConfig says which repositories' own jobs are read.
	InRepoConfig InRepoConfig `json:"inRepoConfig"`
	// Decoration configures decorated pod-spec jobs.
	Decoration Decoration `json:"decoration"`
	// ExternalPlugins configures forwarding to plugins.yaml's external_plugins.
	ExternalPlugins ExternalPlugins `json:"externalPlugins,omitempty"`
	// GC configures the deletion of finished PipelineRuns.
	GC GC `json:"gc,omitempty"`
	// Catchup configures recovery after the cluster was unreachable.
	Catchup Catchup `json:"catchup,omitempty"`
}

// ProwFiles are the paths of config.yaml, the job-config directory and
// plugins.yaml. Relative paths are relative to fresnel.yaml.
type ProwFiles struct {
	Config    string `json:"config"`
	JobConfig string `json:"jobConfig,omitempty"`
	Plugins   string `json:"plugins,omitempty"`
}

// Provider is one SCM instance.
type Provider struct {
	Kind     string            `json:"kind"`
	Name     string            `json:"name"`
	URL      string            `json:"url,omitempty"`
	Secret   *Secret           `json:"secret,omitempty"`
	Token    *Secret           `json:"token,omitempty"`
	Username string            `json:"username,omitempty"`
	Insecure bool              `json:"insecure,omitempty"`
	Options  map[string]string `json:"options,omitempty"`

	// BotUser is fresnel's own login on this instance (default: Username).
	// fresnel trusts itself and finds its own comments by it.
	BotUser string `json:"botUser,omitempty"`

	// App makes a GitHub instance act as a GitHub App instead of with
	// Token.
	App *GitHubApp `json:"app,omitempty"`
}

// GitHubApp is a GitHub App's id and where its private key comes from.
type GitHubApp struct {
	ID         int64   `json:"id"`
	PrivateKey *Secret `json:"privateKey"`
}

// Secret is read from a file or an environment variable, never written in
// fresnel.yaml itself.
type Secret struct {
	File string `json:"file,omitempty"`
	Env  string `json:"env,omitempty"`
}

// Server holds the HTTP limits.
type Server struct {
	Address           string   `json:"address,omitempty"`
	MaxBodyBytes      int64    `json:"maxBodyBytes,omitempty"`
	ReadHeaderTimeout Duration `json:"readHeaderTimeout,omitempty"`
	ReadTimeout       Duration `json:"readTimeout,omitempty"`
	WriteTimeout      Duration `json:"writeTimeout,omitempty"`
	IdleTimeout       Duration `json:"idleTimeout,omitempty"`
}

// Kube sets the client-side rate limit for the Kubernetes API: the default
// of 5 QPS would cap PipelineRun creation far below what the API serves.
type Kube struct {
	QPS   float32 `json:"qps,omitempty"`
	Burst int     `json:"burst,omitempty"`
}

// Report configures how results are reported back.
type Report struct {
	// TargetURL is a Go template for the link on each status, over the
	// fields of report.Link (Namespace, Name, Job, Repo, SHA, Number).
	TargetURL string `json:"targetURL,omitempty"`
	// SummaryComment keeps one comment per pull request that lists its
	// failed jobs and how to rerun each; on unless set to false.
	SummaryComment *bool `json:"summaryComment,omitempty"`
}

// SummaryCommentOn says whether the summary comment is kept: it is unless
// summaryComment is false.
func (r Report) SummaryCommentOn() bool {
	return r.SummaryComment == nil || *r.SummaryComment
}

// Duration reads "30s"-style durations.
type Duration struct{ time.Duration }

// UnmarshalJSON reads a quoted Go duration.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes a quoted Go duration.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// Defaults fill what fresnel.yaml leaves out.
const (
	DefaultAddress      = ":8090"
	DefaultMaxBodyBytes = 25 << 20
	DefaultNamespace    = "default"
	DefaultQPS          = 1000
	DefaultBurst        = 2000
)

// Load reads and validates a settings file; environment variables
// FRESNEL_NAMESPACE and FRESNEL_ADDRESS override it (the chart uses them).
func Load(path string) (*Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	var s Settings
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return nil, fmt.Errorf("settings: %s: %w", path, err)
	}
	s.applyEnv()
	s.applyDefaults(filepath.Dir(path))
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("settings: %s: %w", path, err)
	}
	return &s, nil
}

func (s *Settings) applyEnv() {
	if v := os.Getenv("FRESNEL_NAMESPACE"); v != "" {
		s.Namespace = v
	}
	if v := os.Getenv("FRESNEL_ADDRESS"); v != "" {
		s.Server.Address = v
	}
}

func (s *Settings) applyDefaults(dir string) {
	s.Namespace = cmp.Or(s.Namespace, DefaultNamespace)
	s.Server.Address = cmp.Or(s.Server.Address, DefaultAddress)
	if s.Server.MaxBodyBytes == 0 {
		s.Server.MaxBodyBytes = DefaultMaxBodyBytes
	}
	defaultDuration(&s.Server.ReadHeaderTimeout, 10*time.Second)
	defaultDuration(&s.Server.ReadTimeout, 30*time.Second)
	defaultDuration(&s.Server.WriteTimeout, 60*time.Second)
	defaultDuration(&s.Server.IdleTimeout, 120*time.Second)
	if s.Kube.QPS == 0 {
		s.Kube.QPS = DefaultQPS
	}
	if s.Kube.Burst == 0 {
		s.Kube.Burst = DefaultBurst
	}
	for _, p := range []*string{&s.Prow.Config, &s.Prow.JobConfig, &s.Prow.Plugins} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range s.Providers {
		for _, sec := range []*Secret{s.Providers[i].Secret, s.Providers[i].Token, s.Providers[i].App.privateKey()} {
			if sec != nil && sec.File != "" && !filepath.IsAbs(sec.File) {
				sec.File = filepath.Join(dir, sec.File)
			}
		}
	}
	resolveSecretFiles(dir, s.ExternalPlugins.secretFiles())
	s.GC.applyDefaults()
	s.Catchup.applyDefaults()
}

func (s *Settings) validate() error {
	var errs []error
	if s.Prow.Config == "" {
		errs = append(errs, errors.New("prow.config: the path of config.yaml is required"))
	}
	if len(s.Providers) == 0 {
		errs = append(errs, errors.New("providers: at least one provider instance is required"))
	}
	for i, p := range s.Providers {
		if p.Kind == "" || p.Name == "" {
			errs = append(errs, fmt.Errorf("providers[%d]: kind and name are required", i))
		}
		if p.Secret == nil && !p.Insecure {
			errs = append(errs, fmt.Errorf("providers[%d] (%s/%s): no secret; set secret.file or secret.env, or insecure: true", i, p.Kind, p.Name))
		}
		if err := p.App.validate(p.Kind); err != nil {
			errs = append(errs, fmt.Errorf("providers[%d] (%s/%s): %w", i, p.Kind, p.Name, err))
		}
	}
	errs = append(errs, s.InRepoConfig.validate())
	errs = append(errs, s.GC.validate())
	errs = append(errs, s.Catchup.validate())
	return errors.Join(errs...)
}

// ProviderConfigs reads every instance's secrets and returns the configs
// the provider registry builds instances from.
func (s *Settings) ProviderConfigs() ([]providers.Config, error) {
	cfgs := make([]providers.Config, 0, len(s.Providers))
	for _, p := range s.Providers {
		secret, err := p.Secret.Read()
		if err != nil {
			return nil, fmt.Errorf("settings: %s/%s secret: %w", p.Kind, p.Name, err)
		}
		token, err := p.Token.Read()
		if err != nil {
			return nil, fmt.Errorf("settings: %s/%s token: %w", p.Kind, p.Name, err)
		}
		cfg := providers.Config{
			Kind: p.Kind, Name: p.Name, URL: p.URL,
			Secret: []byte(secret), Token: token, Username: p.Username,
			Insecure: p.Insecure, Options: p.Options,
		}
		if p.App != nil {
			key, err := p.App.PrivateKey.Read()
			if err != nil {
				return nil, fmt.Errorf("settings: %s/%s app.privateKey: %w", p.Kind, p.Name, err)
			}
			cfg.AppID, cfg.AppKey = p.App.ID, []byte(key)
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs, nil
}

// Read returns the secret's value, trimmed of surrounding white space. A
// nil Secret reads as empty; a named source that is empty is an error.
func (s *Secret) Read() (string, error) {
	switch {
	case s == nil:
		return "", nil
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", err
		}
		return nonEmpty(strings.TrimSpace(string(b)), "file "+s.File)
	case s.Env != "":
		return nonEmpty(strings.TrimSpace(os.Getenv(s.Env)), "environment variable "+s.Env)
	}
	return "", errors.New("neither file nor env is set")
}

func nonEmpty(v, source string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s is empty", source)
	}
	return v, nil
}

func defaultDuration(d *Duration, def time.Duration) {
	if d.Duration == 0 {
		d.Duration = def
	}
}

// privateKey is the App's key source, nil without an App.
func (a *GitHubApp) privateKey() *Secret {
	if a == nil {
		return nil
	}
	return a.PrivateKey
}

// validate checks an instance's App settings, if it has any.
func (a *GitHubApp) validate(kind string) error {
	switch {
	case a == nil:
		return nil
	case kind != "github":
		return fmt.Errorf("app: only a github instance can act as a GitHub App")
	case a.ID <= 0:
		return errors.New("app.id: the GitHub App's id (a number) is required")
	case a.PrivateKey == nil:
		return errors.New("app.privateKey: the GitHub App's private key (file or env) is required")
	}
	return nil
}
