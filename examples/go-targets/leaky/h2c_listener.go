package main

// The optional h2c listener: the same handlers as -addr, served as HTTP/2 without TLS
// (prior knowledge, RFC 9113 section 3.3) on -h2c-addr, by net/http's own HTTP/2 server
// (http.Server.Protocols, Go 1.24+: no golang.org/x/net dependency). The listener is
// wrapped by the observer like the plain one (conn_accepted counts its connections too),
// and its own connections are published on /debug/vars as "h2c": {"connections": N}.

import (
	"expvar"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// startH2C serves handler on ln as h2c (nothing when ln is nil: no -h2c-addr) and returns the
// server for shutdown; serve errors go to `served`.
func startH2C(ln net.Listener, handler http.Handler, obs *observer, served chan<- error) (*http.Server, error) {
	if ln == nil {
		return nil, nil
	}
	var accepted counter
	expvar.Publish("h2c", expvar.Func(func() interface{} { return map[string]int64{"connections": accepted.get()} }))
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, Protocols: &protocols}
	fmt.Fprintf(os.Stderr, "leaky: h2c listening on %s\n", ln.Addr())
	go func() { served <- srv.Serve(countingListener{obs.observeListener(ln), &accepted}) }()
	return srv, nil
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n *counter
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.add(1)
	}
	return c, err
}
