package settings

import (
	"errors"
	"time"
)

// Catchup configures how the webhook role recovers the deliveries it
// answered 5xx because the cluster could not take runs: it asks the SCM
// to redeliver them where the SCM can, then reconciles the open pull
// requests of the repositories concerned.
type Catchup struct {
	// Disabled turns recovery off: failed deliveries then wait for a
	// person to redeliver them.
	Disabled bool `json:"disabled,omitempty"`
	// Interval is how often an outage is looked at (default 10s).
	Interval Duration `json:"interval,omitempty"`
	// Settle is how long redeliveries get to arrive before open pull
	// requests are reconciled (default 15s).
	Settle Duration `json:"settle,omitempty"`
	// MaxRepos bounds how many repositories per instance an outage
	// remembers (default 200); past it, further ones are dropped and
	// counted.
	MaxRepos int `json:"maxRepos,omitempty"`
}

// Catch-up defaults.
const (
	DefaultCatchupInterval = 10 * time.Second
	DefaultCatchupSettle   = 15 * time.Second
	DefaultCatchupMaxRepos = 200
)

func (c *Catchup) applyDefaults() {
	defaultDuration(&c.Interval, DefaultCatchupInterval)
	defaultDuration(&c.Settle, DefaultCatchupSettle)
	if c.MaxRepos == 0 {
		c.MaxRepos = DefaultCatchupMaxRepos
	}
}

func (c *Catchup) validate() error {
	if c.Interval.Duration < 0 || c.Settle.Duration < 0 || c.MaxRepos < 0 {
		return errors.New("catchup: interval, settle and maxRepos must be positive")
	}
	return nil
}
