package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Class 14 — closed only by the GC.
//
// GET /leak/closed-by-gc
//
// Per request the handler reads the head of a template file
// ($TMPDIR/leakgate-leaky-*/closed-by-gc.dat, opened with os.Open) and fetches
// GET /data from the in-process dependency over a net.Conn it dials by hand and talks
// HTTP/1.1 on itself.
//
// Leaky: neither the *os.File nor the net.Conn is closed, and nothing keeps a reference to
// them after the handler returns. Go's runtime sets a finalizer on both (os.(*file) and
// net.(*netFD)), so the next garbage collection closes them: the fds — one file, and two
// sockets because both ends of the dependency connection live in this process — and the
// dependency's net/http.(*conn).serve goroutine (`IO wait`, waiting for a next request on
// a connection that has no idle timeout) grow with the load and vanish at a GC. A reading
// taken after a forced GC sees nothing; in production they pile up between collections
// (a mostly idle heap means few collections) until `too many open files`.
//
// Fixed: `defer f.Close()` and `defer conn.Close()` right after each open: fds and
// goroutines stay flat with or without a GC.
//
// Trigger: plain load; compare the fds just before and just after a forced GC
// (runtime.GC(), or leakgate's /debug/pprof/heap?gc=1).
func closedByGC(s *service, w http.ResponseWriter, r *http.Request) {
	f, err := os.Open(s.templatePath)
	if err != nil {
		textReply(w, http.StatusInternalServerError, "%v\n", err)
		return
	}
	if s.fixed {
		defer f.Close() // the fix, part 1
	}
	head := make([]byte, 32)
	n, _ := f.Read(head)
	// Leaky: f is dropped here, open; its finalizer closes it at the next GC.

	conn, err := net.DialTimeout("tcp", s.dep.ln.Addr().String(), time.Second)
	if err != nil {
		textReply(w, http.StatusBadGateway, "dependency: %v\n", err)
		return
	}
	if s.fixed {
		defer conn.Close() // the fix, part 2
	}
	status, err := fetchOverConn(conn, "/data")
	if err != nil {
		textReply(w, http.StatusBadGateway, "dependency: %v\n", err)
		return
	}
	// Leaky: conn is dropped here, open; its finalizer closes it at the next GC.
	textReply(w, http.StatusOK, "template %q, dependency %s\n", head[:n], status)
}

// fetchOverConn sends one HTTP/1.1 GET for path on conn, reads the whole response and
// returns its status; conn stays open (keep-alive) and its deadline is cleared again.
func fetchOverConn(conn net.Conn, path string) (string, error) {
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	defer conn.SetDeadline(time.Time{}) //nolint:errcheck
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: dependency\r\n\r\n", path); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close() // closes the body reader, not the connection
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	return resp.Status, nil
}
