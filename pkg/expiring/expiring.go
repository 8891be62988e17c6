// Package expiring is a bounded map whose entries expire: kept for a
// while, the least recently used dropped first once it is full. It is
// safe for concurrent use.
package expiring

import (
	"container/list"
	"sync"
	"time"
)

// Map keeps values by key for TTL after they were put, at most Size of
// them.
type Map[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	size  int
	now   func() time.Time
	order *list.List // of *entry[V], most recently used at the front
	byKey map[string]*list.Element
}

type entry[V any] struct {
	key     string
	value   V
	expires time.Time
}

// New returns a Map of at most size entries (one at least), each kept
// for ttl as now tells time; a nil now means time.Now.
func New[V any](size int, ttl time.Duration, now func() time.Time) *Map[V] {
	if now == nil {
		now = time.Now
	}
	return &Map[V]{ttl: ttl, size: max(size, 1), now: now, order: list.New(), byKey: map[string]*list.Element{}}
}

// Get returns the value kept for key unless it has expired.
func (m *Map[V]) Get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var zero V
	el, ok := m.byKey[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*entry[V])
	if !m.now().Before(e.expires) {
		m.order.Remove(el)
		delete(m.byKey, key)
		return zero, false
	}
	m.order.MoveToFront(el)
	return e.value, true
}

// Put keeps value for key, dropping the least recently used entry when
// full.
func (m *Map[V]) Put(key string, value V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byKey[key]; ok {
		m.order.Remove(el)
	}
	m.byKey[key] = m.order.PushFront(&entry[V]{key: key, value: value, expires: m.now().Add(m.ttl)})
	for m.order.Len() > m.size {
		oldest := m.order.Back()
		m.order.Remove(oldest)
		delete(m.byKey, oldest.Value.(*entry[V]).key)
	}
}

// Len is how many entries are kept, expired ones not yet dropped
// included.
func (m *Map[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

// Delete drops the value kept for key, if any.
func (m *Map[V]) Delete(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.byKey[key]; ok {
		m.order.Remove(el)
		delete(m.byKey, key)
	}
}
