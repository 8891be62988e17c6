// Package catchup recovers the events the webhook role answered 5xx
// because the cluster could not take runs. GitHub and GitLab do not
// redeliver a failed delivery by themselves; once the cluster answers
// again, catch-up asks them to (where their API can) and then reconciles
// the open pull requests of the repositories that had failed deliveries.
package catchup

import (
	"sort"
	"sync"
	"time"
)

// Outage remembers, in memory and bounded, when the cluster first failed
// to take runs and which repositories of which instances had deliveries
// fail since. Safe for concurrent use.
type Outage struct {
	// MaxRepos bounds the repositories remembered per instance; past it
	// further ones are dropped and counted in Dropped.
	MaxRepos int

	mu      sync.Mutex
	since   time.Time
	repos   map[InstanceKey]map[string]bool
	dropped int
}

// InstanceKey names a provider instance.
type InstanceKey struct{ Kind, Name string }

// Failed records a delivery about repo on instance that failed at at.
func (o *Outage) Failed(in InstanceKey, repo string, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() || at.Before(o.since) {
		o.since = at
	}
	if o.repos == nil {
		o.repos = map[InstanceKey]map[string]bool{}
	}
	set := o.repos[in]
	if set == nil {
		set = map[string]bool{}
		o.repos[in] = set
	}
	if !set[repo] && o.MaxRepos > 0 && len(set) >= o.MaxRepos {
		o.dropped++
		return
	}
	set[repo] = true
}

// Active reports whether an outage is remembered.
func (o *Outage) Active() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return !o.since.IsZero()
}

// Snapshot is an outage taken for recovery.
type Snapshot struct {
	Since time.Time
	// Repos are the repositories with failed deliveries, sorted, by
	// instance.
	Repos map[InstanceKey][]string
	// Dropped counts repositories past MaxRepos.
	Dropped int
}

// Take returns the outage remembered and forgets it; a zero Since means
// there was none.
func (o *Outage) Take() Snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	snap := Snapshot{Since: o.since, Repos: map[InstanceKey][]string{}, Dropped: o.dropped}
	for in, set := range o.repos {
		for repo := range set {
			snap.Repos[in] = append(snap.Repos[in], repo)
		}
		sort.Strings(snap.Repos[in])
	}
	o.since, o.repos, o.dropped = time.Time{}, nil, 0
	return snap
}
