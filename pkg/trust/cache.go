package trust

import (
	"container/list"
	"sync"
	"time"
)

// DefaultTTL is how long a membership answer is kept: long enough that a
// burst of events (a push, its comments, a retest) asks the SCM once,
// short enough that removing someone from an org takes effect soon.
const DefaultTTL = 5 * time.Minute

// DefaultCacheSize bounds how many answers are kept.
const DefaultCacheSize = 10000

// cache keeps membership answers for a while, the least recently used
// dropped first once it is full. Errors are never kept.
type cache struct {
	mu    sync.Mutex
	ttl   time.Duration
	size  int
	now   func() time.Time
	order *list.List // of *entry, most recently used at the front
	byKey map[string]*list.Element
}

type entry struct {
	key     string
	yes     bool
	expires time.Time
}

func newCache(size int, ttl time.Duration, now func() time.Time) *cache {
	return &cache{ttl: ttl, size: max(size, 1), now: now, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns a kept answer that has not expired.
func (c *cache) get(key string) (yes, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return false, false
	}
	e := el.Value.(*entry)
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return false, false
	}
	c.order.MoveToFront(el)
	return e.yes, true
}

// put keeps an answer, dropping the least recently used one when full.
func (c *cache) put(key string, yes bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.order.Remove(el)
	}
	c.byKey[key] = c.order.PushFront(&entry{key: key, yes: yes, expires: c.now().Add(c.ttl)})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*entry).key)
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
