package main

// Endpoints and counters that let leakgate's tests see client-side faults from the
// server's side. Registered by main (registerObserve) on the outer mux, so the leak
// endpoints and their tests are unaffected; the counters are published on /debug/vars as
// "observe" (publishObserve, binary only):
//
//	/echo            reads the whole request body and answers its size; counts body read
//	                 errors (unexpected EOF, reset, other) and slow bodies (> 50 ms to read)
//	/slow?ms=N       answers after N ms (default 100) unless the request context ends first
//	                 (counted in slow_cancelled)
//	/stream?chunks=N&size=S  N chunks of S bytes (defaults 64 × 32 KiB), flushed one by one;
//	                 counts completed streams, failed writes, the longest stream in ms and
//	                 the streams whose handler is still writing (stream_active: an HTTP/2
//	                 client that stops granting flow-control window keeps them there)
//
// The listener wrapper (observeListener) counts, per accepted connection, how its reads
// ended (EOF vs reset by peer, or closed by the server first: conn_closed_by_server, e.g.
// after a client's GOAWAY once its streams are done) and the 400 responses Go's server writes for malformed
// requests (which never reach a handler).

import (
	"errors"
	"expvar"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// observer holds the counters; safe for concurrent use.
type observer struct {
	requestsCancelled counter // handlers (echo, slow, stream) that saw r.Context() done
	slowCancelled     counter
	slowCompleted     counter
	echoOK            counter
	echoBytes         counter
	echoUnexpectedEOF counter // body shorter than Content-Length: the client closed early
	echoReset         counter // body read failed with "connection reset by peer"
	echoOtherErrors   counter
	echoSlowBodies    counter // body took more than 50 ms to read (slow_send)
	streamCompleted   counter
	streamWriteErrors counter
	streamMaxMs       counter
	streamActive      counter // /stream handlers running now (a gauge)
	connAccepted      counter
	connReadEOF       counter // a connection's read returned io.EOF (client FIN / half close)
	connReadReset     counter // a connection's read failed with ECONNRESET (client RST)
	connServerClosed  counter // the server closed a connection before its reads ended
	badRequests       counter // 4xx answers written by net/http itself (malformed requests)
	mu                sync.Mutex
}

func newObserver() *observer { return &observer{} }

func (o *observer) vars() map[string]interface{} {
	return map[string]interface{}{
		"requests_cancelled":    o.requestsCancelled.get(),
		"slow_cancelled":        o.slowCancelled.get(),
		"slow_completed":        o.slowCompleted.get(),
		"echo_ok":               o.echoOK.get(),
		"echo_bytes":            o.echoBytes.get(),
		"echo_unexpected_eof":   o.echoUnexpectedEOF.get(),
		"echo_reset":            o.echoReset.get(),
		"echo_other_errors":     o.echoOtherErrors.get(),
		"echo_slow_bodies":      o.echoSlowBodies.get(),
		"stream_completed":      o.streamCompleted.get(),
		"stream_write_errors":   o.streamWriteErrors.get(),
		"stream_max_ms":         o.streamMaxMs.get(),
		"stream_active":         o.streamActive.get(),
		"conn_accepted":         o.connAccepted.get(),
		"conn_read_eof":         o.connReadEOF.get(),
		"conn_read_reset":       o.connReadReset.get(),
		"conn_closed_by_server": o.connServerClosed.get(),
		"bad_requests":          o.badRequests.get(),
	}
}

// publishObserve exposes the counters on /debug/vars as "observe" (once per process).
func publishObserve(o *observer) {
	expvar.Publish("observe", expvar.Func(func() interface{} { return o.vars() }))
}

// registerObserve adds /echo, /slow and /stream to mux, labelled like the service's
// own handlers (labels.go).
func registerObserve(mux *http.ServeMux, o *observer) {
	mux.Handle("/echo", labelled("/echo", http.HandlerFunc(o.echo)))
	mux.Handle("/slow", labelled("/slow", http.HandlerFunc(o.slow)))
	mux.Handle("/stream", labelled("/stream", http.HandlerFunc(o.stream)))
}

func (o *observer) noteCancelled(r *http.Request) {
	if r.Context().Err() != nil {
		o.requestsCancelled.add(1)
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "connection reset by peer")
}

func (o *observer) echo(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	n, err := io.Copy(io.Discard, r.Body)
	if time.Since(start) > 50*time.Millisecond {
		o.echoSlowBodies.add(1)
	}
	defer o.noteCancelled(r)
	if err != nil {
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			o.echoUnexpectedEOF.add(1)
		case isReset(err):
			o.echoReset.add(1)
		default:
			o.echoOtherErrors.add(1)
		}
		return // the client is gone or broke the request: nobody reads an answer
	}
	o.echoOK.add(1)
	o.echoBytes.add(n)
	textReply(w, http.StatusOK, "%d\n", n)
}

func (o *observer) slow(w http.ResponseWriter, r *http.Request) {
	d := msParam(r, "ms", 100*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		o.slowCompleted.add(1)
		textReply(w, http.StatusOK, "slept %v\n", d)
	case <-r.Context().Done():
		o.slowCancelled.add(1)
		o.requestsCancelled.add(1)
	}
}

func (o *observer) stream(w http.ResponseWriter, r *http.Request) {
	chunks := intParam(r, "chunks", 64, 1, 1<<16)
	size := intParam(r, "size", 32<<10, 1, 1<<20)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(chunks*size))
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte('a' + i%26)
	}
	flusher, _ := w.(http.Flusher)
	o.streamActive.add(1)
	defer o.streamActive.add(-1)
	start := time.Now()
	for i := 0; i < chunks; i++ {
		if _, err := w.Write(buf); err != nil {
			o.streamWriteErrors.add(1)
			o.noteCancelled(r)
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	o.streamCompleted.add(1)
	ms := time.Since(start).Milliseconds()
	o.mu.Lock()
	if ms > o.streamMaxMs.get() {
		o.streamMaxMs.n.Store(ms)
	}
	o.mu.Unlock()
}

// observeListener wraps ln so every accepted connection reports how it ended.
func (o *observer) observeListener(ln net.Listener) net.Listener { return &observedListener{ln, o} }

type observedListener struct {
	net.Listener
	o *observer
}

func (l *observedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	l.o.connAccepted.add(1)
	return &observedConn{Conn: c, o: l.o}, nil
}

type observedConn struct {
	net.Conn
	o         *observer
	readOnce  sync.Once
	readEnded atomic.Bool // a read returned an error
	closeOnce sync.Once
}

func (c *observedConn) Close() error {
	c.closeOnce.Do(func() {
		if !c.readEnded.Load() {
			c.o.connServerClosed.add(1)
		}
	})
	return c.Conn.Close()
}

func (c *observedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.readEnded.Store(true)
		switch {
		case errors.Is(err, io.EOF):
			c.readOnce.Do(func() { c.o.connReadEOF.add(1) })
		case isReset(err):
			c.readOnce.Do(func() { c.o.connReadReset.add(1) })
		}
	}
	return n, err
}

func (c *observedConn) Write(p []byte) (int, error) {
	// net/http answers unparsable requests itself, writing "HTTP/1.1 400 Bad Request" (or
	// 431) straight to the connection without a Date header; handler responses carry one.
	if len(p) >= 12 && string(p[:9]) == "HTTP/1.1 " && (string(p[9:12]) == "400" || string(p[9:12]) == "431") &&
		!strings.Contains(string(p), "\r\nDate: ") {
		c.o.badRequests.add(1)
	}
	return c.Conn.Write(p)
}

// CloseWrite keeps net/http's graceful close (FIN, then drain) working through the wrapper.
func (c *observedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
