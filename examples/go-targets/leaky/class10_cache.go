package main

import (
	"container/list"
	"net/http"
	"strconv"
	"sync"
)

// Class 10 — unbounded cache.
//
// GET /leak/cache?key=K   (default: a fresh key per request)
//
// The handler computes a 4 KiB value for the key and caches it in the service's cache.
//
// Leaky: the cache is a global map keyed by request data and nothing ever evicts: with
// distinct keys the heap (in-use bytes and objects) grows by ~4 KiB per request, every
// cycle, while goroutines stay flat.
//
// Fixed: a bounded LRU (cacheBound = 256 entries): the heap grows during the first cycle
// until the bound is reached, then stays flat — a cache, not a leak.
//
// Trigger: load with distinct keys, repeated cycles. No goroutine shows it; the heap does
// (/debug/pprof/heap: main.unboundedCache allocates the values).
func unboundedCache(s *service, w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if key == "" {
		key = "req-" + strconv.FormatInt(s.reqID.add(1), 10)
	}
	if v, ok := s.cache.get(key); ok {
		textReply(w, http.StatusOK, "hit %s (%d bytes)\n", key, len(v))
		return
	}
	v := make([]byte, 4<<10)
	copy(v, key)
	n := s.cache.put(key, v)
	textReply(w, http.StatusOK, "miss %s (%d entries)\n", key, n)
}

const cacheBound = 256

// cacheStore is what the handler needs from a cache.
type cacheStore interface {
	get(key string) ([]byte, bool)
	put(key string, v []byte) int // returns the number of entries
	len() int
}

// unboundedMapCache: the leak. Entries are added and never evicted.
type unboundedMapCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newUnboundedCache() *unboundedMapCache { return &unboundedMapCache{m: make(map[string][]byte)} }

func (c *unboundedMapCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *unboundedMapCache) put(key string, v []byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = v
	return len(c.m)
}

func (c *unboundedMapCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// lruCache: the fix. At most `bound` entries; the least recently used one is evicted.
type lruCache struct {
	mu    sync.Mutex
	bound int
	order *list.List // front: most recently used; values are *lruEntry
	m     map[string]*list.Element
}

type lruEntry struct {
	key string
	v   []byte
}

func newLRUCache(bound int) *lruCache {
	return &lruCache{bound: bound, order: list.New(), m: make(map[string]*list.Element)}
}

func (c *lruCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).v, true
}

func (c *lruCache) put(key string, v []byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		e.Value.(*lruEntry).v = v
		c.order.MoveToFront(e)
		return len(c.m)
	}
	c.m[key] = c.order.PushFront(&lruEntry{key: key, v: v})
	for len(c.m) > c.bound {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.m, oldest.Value.(*lruEntry).key)
	}
	return len(c.m)
}

func (c *lruCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
