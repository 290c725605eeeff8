package main

import (
	"expvar"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// mode selects the leaky variants or their fixed twins.
type mode int

const (
	modeLeaky mode = iota
	modeFixed
)

func (m mode) String() string {
	if m == modeFixed {
		return "fixed"
	}
	return "leaky"
}

func parseMode(s string) (mode, error) {
	switch s {
	case "leaky":
		return modeLeaky, nil
	case "fixed":
		return modeFixed, nil
	}
	return modeLeaky, fmt.Errorf("invalid -mode %q: want leaky or fixed", s)
}

// service is everything the handlers share: the mode, the in-process dependency, and
// the state some classes keep (the open-handle table, the cache, the worker pool).
// Handlers are plain functions taking *service so that stack traces name them
// main.<handler> and their closures main.<handler>.funcN.
type service struct {
	fixed    bool
	mode     mode
	shutdown chan struct{} // closed by close(): long-lived workers that watch it return

	dep *dependency // the in-process HTTP dependency server (dependency.go)
	up  *upstream   // the clients of classes 3, 7 and 8 and the base URL they call (upstream.go)

	dataDir      string // temp dir, removed by close()
	journalPath  string // the "audit journal" class 9 opens per request
	templatePath string // the "template" class 14 opens per request
	handles      *handleTable

	cache cacheStore // class 10
	pool  *workerPool

	reqID        counter // request ids (classes 9 and 10)
	tickerBeats  counter // class 4
	auditBytes   counter // class 4
	released     counter // class 13: graphs finalized (leaky; never happens) or released (fixed)
	bodyPrefixes counter // class 7

	closeOnce sync.Once
}

// config is what the command line decides about a service.
type config struct {
	mode mode
	// depURL is the base URL ("http://127.0.0.1:9000") of the dependency that classes 3, 7
	// and 8 call (-dep); "" calls the in-process dependency, and class 3 then waits for
	// main.slowDependency in-process instead of making an HTTP call.
	depURL string
	// depAddr is the listen address of the in-process dependency (-dep-addr); "" is
	// 127.0.0.1:0.
	depAddr string
}

func newService(cfg config) (*service, error) {
	m := cfg.mode
	s := &service{fixed: m == modeFixed, mode: m, shutdown: make(chan struct{})}
	dir, err := os.MkdirTemp("", "leakgate-leaky-*")
	if err != nil {
		return nil, err
	}
	s.dataDir = dir
	s.journalPath = filepath.Join(dir, "audit-journal.dat")
	journal := make([]byte, 4096)
	for i := range journal {
		journal[i] = byte('a' + i%26)
	}
	if err := os.WriteFile(s.journalPath, journal, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.templatePath = filepath.Join(dir, "closed-by-gc.dat")
	if err := os.WriteFile(s.templatePath, []byte("<template>{{.}}</template>\n"), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.handles = newHandleTable()
	if s.fixed {
		s.cache = newLRUCache(cacheBound)
	} else {
		s.cache = newUnboundedCache()
	}
	depAddr := cfg.depAddr
	if depAddr == "" {
		depAddr = "127.0.0.1:0"
	}
	s.dep, err = startDependency(depAddr)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.up = newUpstream(s.dep.url, cfg.depURL)
	s.pool = startWorkerPool(s, poolWorkers)
	return s, nil
}

// close stops the dependency server and the long-lived workers and removes the temp dir.
// Leaked goroutines blocked on channels nobody will ever touch stay (they are the leak).
func (s *service) close() {
	s.closeOnce.Do(func() {
		close(s.shutdown)
		s.dep.close()
		s.up.close()
		s.handles.closeAll()
		os.RemoveAll(s.dataDir)
	})
}

// handlerFunc is a handler that gets the service explicitly.
type handlerFunc func(s *service, w http.ResponseWriter, r *http.Request)

// (Not inlined, so that stacks show the adapter as main.(*service).handle.func1.)
//
//go:noinline
func (s *service) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h(s, w, r) }
}

// endpoints is the table of leak endpoints, by class.
var endpoints = []struct {
	class int
	path  string
	h     handlerFunc
}{
	{1, "/leak/blocked-send", blockedSend},
	{2, "/leak/no-ctx-done", noCtxDone},
	{3, "/leak/lost-cancel", lostCancel},
	{4, "/leak/ticker", tickerNotStopped},
	{5, "/leak/range-unclosed", rangeUnclosed},
	{6, "/leak/waitgroup", waitGroupMisuse},
	{7, "/leak/unclosed-body", unclosedBody},
	{8, "/leak/no-client-timeout", noClientTimeout},
	{9, "/leak/unclosed-file", unclosedFile},
	{10, "/leak/cache", unboundedCache},
	{11, "/leak/pool", poolSubmit},
	{13, "/leak/finalizer", finalizerCycle},
	{14, "/leak/closed-by-gc", closedByGC},
}

// routes is the service's handler: the leak endpoints, /healthz, /hello, and
// http.DefaultServeMux (pprof, expvar) under /debug/. Every handler but /debug/ runs
// under pprof labels route=<its path>, method=<the request's method> (labels.go).
func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/healthz", labelled("/healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "ok")
	})))
	mux.Handle("/hello", labelled("/hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, "hello\n")
	})))
	for _, e := range endpoints {
		mux.Handle(e.path, labelled(e.path, s.handle(e.h)))
	}
	mux.Handle("/debug/", http.DefaultServeMux)
	return mux
}

// publishVars exposes the service's own counters on /debug/vars as "leaky". Only the
// binary calls it (expvar names can be published once per process).
func publishVars(s *service) {
	expvar.Publish("leaky", expvar.Func(func() interface{} {
		return map[string]interface{}{
			"mode":              s.mode.String(),
			"open_handles":      s.handles.len(),
			"cache_entries":     s.cache.len(),
			"pool_workers":      s.pool.alive.get(),
			"pool_workers_lost": s.pool.lost.get(),
			"pool_rejected":     s.pool.rejected.get(),
			"pool_completed":    s.pool.completed.get(),
			"ticker_beats":      s.tickerBeats.get(),
			"graphs_released":   s.released.get(),
		}
	}))
}

// counter is an int64 counter safe for concurrent use.
type counter struct{ n atomic.Int64 } // sync/atomic.Int64: Go 1.19

func (c *counter) add(d int64) int64 { return c.n.Add(d) }
func (c *counter) get() int64        { return c.n.Load() }

// msParam reads query parameter name as milliseconds; def when absent or invalid.
func msParam(r *http.Request, name string, def time.Duration) time.Duration {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return def
	}
	return time.Duration(n) * time.Millisecond
}

// intParam reads query parameter name as an int in [lo, hi]; def when absent or invalid.
func intParam(r *http.Request, name string, def, lo, hi int) int {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return def
	}
	return n
}

// boolParam is true for "1" or "true".
func boolParam(r *http.Request, name string, def bool) bool {
	switch r.URL.Query().Get(name) {
	case "1", "true":
		return true
	case "0", "false":
		return false
	}
	return def
}

func textReply(w http.ResponseWriter, status int, format string, args ...interface{}) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, format, args...)
}
