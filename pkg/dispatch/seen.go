package dispatch

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
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
	// oldest are forgotten.
	Max int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	done  map[string]*list.Element // of doneStep, oldest at the front
	order list.List
	busy  map[string]chan struct{}
}

type doneStep struct {
	key string
	at  time.Time
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
		if s.isDone(key) {
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
		s.remember(c.key)
	}
	close(s.busy[c.key])
	delete(s.busy, c.key)
}

// Len is how many completed steps are remembered, expired ones included
// until they are pruned.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

// isDone reports whether key completed within the TTL; s.mu is held.
func (s *Seen) isDone(key string) bool {
	s.prune()
	_, ok := s.done[key]
	return ok
}

// remember records key as completed now; s.mu is held.
func (s *Seen) remember(key string) {
	if s.done == nil {
		s.done = map[string]*list.Element{}
	}
	if el, ok := s.done[key]; ok {
		s.order.Remove(el)
	}
	s.done[key] = s.order.PushBack(doneStep{key: key, at: s.now()})
	for s.order.Len() > s.max() {
		s.forget(s.order.Front())
	}
}

// prune forgets the steps older than the TTL; s.mu is held.
func (s *Seen) prune() {
	cutoff := s.now().Add(-s.ttl())
	for el := s.order.Front(); el != nil && !el.Value.(doneStep).at.After(cutoff); el = s.order.Front() {
		s.forget(el)
	}
}

func (s *Seen) forget(el *list.Element) {
	delete(s.done, el.Value.(doneStep).key)
	s.order.Remove(el)
}

func (s *Seen) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Seen) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultSeenTTL
	}
	return s.TTL
}

func (s *Seen) max() int {
	if s.Max <= 0 {
		return DefaultSeenMax
	}
	return s.Max
}
