package main

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// dependency is an in-process "downstream service" on its own loopback listener, so that
// classes 7 and 8 make real outbound HTTP calls (real sockets, real net/http goroutines)
// without needing anything outside the process.
//
//	GET /data           a small body (dependencyBodySize bytes, Content-Length set)
//	GET /hang?max=MS    blocks until its client goes away, or MS ms (default 10 minutes)
type dependency struct {
	url string
	srv *http.Server
	ln  net.Listener

	// dataClient is the shared client of class 7: few idle connections per host, so a
	// body that is never closed pins its connection and the next request dials a new one.
	dataClient *http.Client
	// hangTransport is the shared transport of class 8 (the clients differ by Timeout).
	hangTransport *http.Transport
}

const dependencyBodySize = 512

var dependencyBody = strings.Repeat("x", dependencyBodySize-1) + "\n"

func startDependency() (*dependency, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/data", dependencyData)
	mux.HandleFunc("/hang", dependencyHang)
	d := &dependency{
		url: "http://" + ln.Addr().String(),
		ln:  ln,
		// No IdleTimeout: a connection stays until its client closes it.
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		dataClient: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     time.Second, // idle keep-alives are gone soon after the load stops
		}},
		hangTransport: &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Second},
	}
	go d.srv.Serve(ln) //nolint:errcheck // returns http.ErrServerClosed on close
	return d, nil
}

// close closes the listener and every connection: leaked class-8 calls then fail and return.
func (d *dependency) close() {
	d.srv.Close()
	d.dataClient.CloseIdleConnections()
	d.hangTransport.CloseIdleConnections()
}

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
