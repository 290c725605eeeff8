package main

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// dependency is an in-process "downstream service" on its own loopback listener
// (-dep-addr, default 127.0.0.1:0), so that classes 3, 7, 8 and 14 make real outbound
// calls (real sockets, real net/http goroutines) without needing anything outside the
// process. With -dep, leakgate's chaos proxy can listen on that URL and forward to this
// server: `leaky -dep-addr 127.0.0.1:U -dep http://127.0.0.1:PROXY`.
//
//	GET /data           a small body (dependencyBodySize bytes, Content-Length set)
//	GET /hang?max=MS    blocks until its client goes away, or MS ms (default 10 minutes)
//	GET /slow?ms=N      answers after N ms (default 100), or when its client goes away
type dependency struct {
	url string // "http://" + the listener's address
	srv *http.Server
	ln  net.Listener
}

const dependencyBodySize = 512

var dependencyBody = strings.Repeat("x", dependencyBodySize-1) + "\n"

func startDependency(addr string) (*dependency, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/data", dependencyData)
	mux.HandleFunc("/hang", dependencyHang)
	mux.HandleFunc("/slow", dependencySlow)
	d := &dependency{
		url: "http://" + ln.Addr().String(),
		ln:  ln,
		// No IdleTimeout: a connection stays until its client closes it.
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
	}
	go d.srv.Serve(ln) //nolint:errcheck // returns http.ErrServerClosed on close
	return d, nil
}

// close closes the listener and every connection: leaked class-8 calls then fail and return.
func (d *dependency) close() { d.srv.Close() }

func dependencyData(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(dependencyBody)))
	w.Write([]byte(dependencyBody)) //nolint:errcheck
}

// dependencyHang plays a dependency that never answers (a blackholed upstream): it holds
// the request until the client gives up (its context ends when the connection closes).
func dependencyHang(w http.ResponseWriter, r *http.Request) {
	t := time.NewTimer(msParam(r, "max", 10*time.Minute))
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-t.C:
	}
	w.Write([]byte("late\n")) //nolint:errcheck
}

// dependencySlow plays a slow dependency that honours cancellation (class 3 with -dep): it
// answers after ms, unless its client goes away first.
func dependencySlow(w http.ResponseWriter, r *http.Request) {
	d := msParam(r, "ms", 100*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-t.C:
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("slow " + d.String() + "\n")) //nolint:errcheck
}
