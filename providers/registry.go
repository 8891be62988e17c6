package providers

import (
	"fmt"
	"sort"
	"sync"
)

// Config is what a provider instance is built from: the settings of one
// instance with its secrets already read.
type Config struct {
	// Kind is the provider kind (github, gitlab, ...).
	Kind string
	// Name tells instances of one kind apart; it is {instance} in the hook path.
	Name string
	// Secret verifies deliveries: an HMAC key or a shared token.
	Secret []byte
	// Insecure allows an instance without a secret; deliveries are then not
	// verified and every one logs a warning.
	Insecure bool
	// URL is the base URL of the SCM's API.
	URL string
	// Token authenticates calls to the SCM's API.
	Token string
	// Username goes with Token where the API wants Basic auth.
	Username string
	// AppID and AppKey authenticate as a GitHub App (kind github): its id
	// and PEM private key. They replace Token.
	AppID  int64
	AppKey []byte
	// Options are provider-specific settings, documented in each provider's README.
	Options map[string]string
}

// Factory builds one provider instance.
type Factory func(cfg Config) (Intake, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a provider kind available. Providers call it from init.
func Register(kind string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[kind]; dup {
		panic("providers: kind registered twice: " + kind)
	}
	registry[kind] = f
}

// Kinds lists the registered provider kinds, sorted.
func Kinds() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	kinds := make([]string, 0, len(registry))
	for k := range registry {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// New builds a provider instance of cfg.Kind. It refuses an instance
// without a secret unless cfg.Insecure is set.
func New(cfg Config) (Intake, error) {
	registryMu.RLock()
	f, ok := registry[cfg.Kind]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("providers: unknown kind %q (known: %v)", cfg.Kind, Kinds())
	}
	if cfg.Name == "" {
		return nil, fmt.Errorf("providers: %s instance without a name", cfg.Kind)
	}
	if len(cfg.Secret) == 0 && !cfg.Insecure {
		return nil, fmt.Errorf("providers: %s/%s has no secret; set one, or insecure: true to accept unverified deliveries", cfg.Kind, cfg.Name)
	}
	p, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("providers: %s/%s: %w", cfg.Kind, cfg.Name, err)
	}
	return p, nil
}

// Instance is a configured provider instance.
type Instance struct {
	Config
	Intake
}

// Set holds the configured instances, looked up by kind and name.
type Set struct {
	byKey map[string]Instance
}

// NewSet builds every configured instance.
func NewSet(cfgs []Config) (*Set, error) {
	s := &Set{byKey: make(map[string]Instance, len(cfgs))}
	for _, cfg := range cfgs {
		key := cfg.Kind + "/" + cfg.Name
		if _, dup := s.byKey[key]; dup {
			return nil, fmt.Errorf("providers: instance %s configured twice", key)
		}
		p, err := New(cfg)
		if err != nil {
			return nil, err
		}
		s.byKey[key] = Instance{Config: cfg, Intake: p}
	}
	return s, nil
}

// Get returns the instance of kind named name.
func (s *Set) Get(kind, name string) (Instance, bool) {
	in, ok := s.byKey[kind+"/"+name]
	return in, ok
}

// All returns every instance, sorted by kind and name.
func (s *Set) All() []Instance {
	all := make([]Instance, 0, len(s.byKey))
	for _, in := range s.byKey {
		all = append(all, in)
	}
	sort.Slice(all, func(i, j int) bool {
		return all[i].Kind+"/"+all[i].Name < all[j].Kind+"/"+all[j].Name
	})
	return all
}
