package expiring

import (
	"testing"
	"time"
)

func TestMapExpiresDropsTheLeastRecentlyUsedAndDeletes(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := New[int](2, time.Minute, func() time.Time { return now })
	m.Put("a", 1)
	m.Put("b", 2)
	if v, ok := m.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d, %v; want 1, true", v, ok)
	}
	m.Put("c", 3) // full: b is the least recently used
	if _, ok := m.Get("b"); ok {
		t.Error("b kept past the size bound, want it dropped")
	}
	if v, ok := m.Get("c"); !ok || v != 3 {
		t.Errorf("Get(c) = %d, %v; want 3, true", v, ok)
	}
	m.Delete("c")
	if _, ok := m.Get("c"); ok {
		t.Error("c kept after Delete")
	}
	now = now.Add(time.Minute)
	if _, ok := m.Get("a"); ok {
		t.Error("a kept after its ttl")
	}
	if n := m.Len(); n != 0 {
		t.Errorf("Len = %d after everything expired or was deleted, want 0", n)
	}
}
