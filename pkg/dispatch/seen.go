package dispatch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/expiring"
)

// Default bounds of a Seen record.
const (
	DefaultSeenTTL = time.Hour
	DefaultSeenMax = 10000
)

// Steps of a delivery whose side effects on the SCM are recorded.
const (
	stepPlugins = "plugins"
	stepTrust   = "trust"
	stepReply   = "reply"
)

// Seen remembers, for a while, which side effects of a delivery (its
// plugins' comments and labels, the trust gate's comments, the reply to
// a comment) completed, so that the same delivery sent again (by hand,
// by catch-up, in a storm) does not repeat them. A step that failed is
// forgotten and runs again. Two copies of a delivery at once take turns:
// the second waits for the first's step to end.
//
// The record lives in one process: with several webhook replicas a
// redelivery that reaches another replica repeats the side effects.
// Its zero value is ready to use with DefaultSeenTTL and DefaultSeenMax.
type Seen struct {
	// TTL is how long a completed step is remembered.
	TTL time.Duration
	// Max bounds how many completed steps are remembered; past it the
	// least recently seen are forgotten.
	Max int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	done *expiring.Map[struct{}] // made on first use, from the fields above
	busy map[string]chan struct{}
}

// Claim is the right to run one step of one delivery; Release says
// whether it completed.
type Claim struct {
	seen *Seen
	key  string
	// Done is true when the step completed before: do not run it again.
	Done bool
}

// seenKey names a step of ev's delivery, or "" when the delivery has no
// id and cannot be recognised when it comes again.
func seenKey(ev event.Event, step string) string {
	if ev.Delivery == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s\x00%s\x00%s", ev.Provider, ev.Instance, ev.Delivery, step)
}

// Claim returns Done when key's step completed within the TTL; otherwise
// it holds the step until Release, waiting first while another copy of
// the delivery holds it. An empty key is never done and holds nothing.
func (s *Seen) Claim(ctx context.Context, key string) (Claim, error) {
	if key == "" {
		return Claim{}, nil
	}
	for {
		s.mu.Lock()
		if _, done := s.doneSteps().Get(key); done {
			s.mu.Unlock()
			return Claim{Done: true}, nil
		}
		wait, held := s.busy[key]
		if !held {
			if s.busy == nil {
				s.busy = map[string]chan struct{}{}
			}
			s.busy[key] = make(chan struct{})
			s.mu.Unlock()
			return Claim{seen: s, key: key}, nil
		}
		s.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Claim{}, fmt.Errorf("dispatch: wait for another copy of the delivery: %w", ctx.Err())
		}
	}
}

// Release ends the claim; a completed step is remembered, a failed one
// may run again. Releasing a Done or empty claim does nothing.
func (c Claim) Release(completed bool) {
	if c.seen == nil {
		return
	}
	s := c.seen
	s.mu.Lock()
	defer s.mu.Unlock()
	if completed {
		s.doneSteps().Put(c.key, struct{}{})
	}
	close(s.busy[c.key])
	delete(s.busy, c.key)
}

// Len is how many completed steps are remembered, expired ones included
// until they are dropped.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doneSteps().Len()
}

// doneSteps is the record of completed steps; s.mu is held.
func (s *Seen) doneSteps() *expiring.Map[struct{}] {
	if s.done == nil {
		ttl, size := s.TTL, s.Max
		if ttl <= 0 {
			ttl = DefaultSeenTTL
		}
		if size <= 0 {
			size = DefaultSeenMax
		}
		s.done = expiring.New[struct{}](size, ttl, s.Now)
	}
	return s.done
}
