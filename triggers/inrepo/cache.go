package inrepo

import (
	"container/list"
	"context"
	"sync"

	"github.com/fresnel-ci/fresnel/triggers"
)

// result is what loading one commit's files gave. A failure to read them
// is not kept: the next event tries again.
type result struct {
	cfg     *triggers.Config
	err     error
	notKept bool
}

// entry is one commit's result; ready closes once it is known, so that
// events on a commit being loaded wait for that load instead of starting
// their own.
type entry struct {
	key   string
	ready chan struct{}
	res   result
}

// cache keeps the latest results, at most size of them, dropping the least
// recently used first.
type cache struct {
	mu      sync.Mutex
	size    int
	order   *list.List // of *entry, most recently used first
	entries map[string]*list.Element
}

func newCache(size int) *cache {
	return &cache{size: max(size, 1), order: list.New(), entries: map[string]*list.Element{}}
}

// get returns key's result, calling load only when no event has loaded
// it, or is loading it, already.
func (c *cache) get(ctx context.Context, key string, load func() result) result {
	e, owner := c.claim(key)
	if !owner {
		select {
		case <-e.ready:
			return e.res
		case <-ctx.Done():
			return result{err: ctx.Err(), notKept: true}
		}
	}
	e.res = load()
	close(e.ready)
	if e.res.notKept {
		c.drop(e)
	}
	return e.res
}

// claim returns key's entry; owner is set when the caller made it and
// must load it.
func (c *cache) claim(key string) (e *entry, owner bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry), false
	}
	e = &entry{key: key, ready: make(chan struct{})}
	c.entries[key] = c.order.PushFront(e)
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*entry).key)
	}
	return e, true
}

func (c *cache) drop(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok && el.Value == e {
		c.order.Remove(el)
		delete(c.entries, e.key)
	}
}

// len is how many results are kept.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
