package main

// The optional TLS listener: the same handlers as -addr, served over TLS on -tls-addr
// with the certificate -tls-cert/-tls-key, HTTP/2 offered by ALPN next to HTTP/1.1, and
// with -client-ca, mutual TLS (a client certificate signed by that CA is required).
//
// Its counters are published on /debug/vars as "tls", so tests see the server's side:
//
//	handshakes        handshakes that completed (every new TLS connection)
//	resumed           ... of them that resumed an earlier session (a session ticket)
//	client_certs      ... of them with a verified client certificate
//	handshake_errors  handshakes that failed (no or bad client certificate, the client
//	                  refused the server's certificate): net/http's "TLS handshake error" log lines
//	h2_connections    connections that negotiated HTTP/2 by ALPN

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

type tlsFlags struct {
	addr, cert, key, clientCA *string
}

func addTLSFlags(fs *flag.FlagSet) tlsFlags {
	return tlsFlags{
		addr:     fs.String("tls-addr", "", "listen address of the TLS listener (host:port); empty: none"),
		cert:     fs.String("tls-cert", "", "PEM certificate (chain) of the TLS listener"),
		key:      fs.String("tls-key", "", "PEM private key of -tls-cert"),
		clientCA: fs.String("client-ca", "", "PEM CA file: require client certificates it signed (mutual TLS)"),
	}
}

type tlsCounters struct {
	handshakes, resumed, clientCerts, handshakeErrors, h2 counter
}

func (c *tlsCounters) vars() map[string]interface{} {
	return map[string]interface{}{
		"handshakes":       c.handshakes.get(),
		"resumed":          c.resumed.get(),
		"client_certs":     c.clientCerts.get(),
		"handshake_errors": c.handshakeErrors.get(),
		"h2_connections":   c.h2.get(),
	}
}

// errorLog forwards net/http's log lines to stderr and counts the failed handshakes.
type errorLog struct{ c *tlsCounters }

func (e errorLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("TLS handshake error")) {
		e.c.handshakeErrors.add(1)
	}
	return os.Stderr.Write(p)
}

// serverTLSConfig loads the certificate and, with a client CA, requires client certificates.
func serverTLSConfig(f tlsFlags, c *tlsCounters) (*tls.Config, error) {
	if *f.cert == "" || *f.key == "" {
		return nil, errors.New("-tls-addr needs -tls-cert and -tls-key")
	}
	pair, err := tls.LoadX509KeyPair(*f.cert, *f.key)
	if err != nil {
		return nil, fmt.Errorf("-tls-cert/-tls-key: %w", err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{pair},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
		VerifyConnection: func(cs tls.ConnectionState) error {
			c.handshakes.add(1)
			if cs.DidResume {
				c.resumed.add(1)
			}
			if len(cs.PeerCertificates) > 0 {
				c.clientCerts.add(1)
			}
			if cs.NegotiatedProtocol == "h2" {
				c.h2.add(1)
			}
			return nil
		},
	}
	if *f.clientCA != "" {
		pem, err := os.ReadFile(*f.clientCA)
		if err != nil {
			return nil, fmt.Errorf("-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("-client-ca %s: no PEM certificates", *f.clientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// startTLS serves srv's handler on ln over TLS (nothing when ln is nil: no -tls-addr);
// serve errors go to `served`. The listener is wrapped by obs like the plain one.
func startTLS(srv *http.Server, f tlsFlags, ln net.Listener, obs *observer, served chan<- error) error {
	if ln == nil {
		return nil
	}
	counters := &tlsCounters{}
	cfg, err := serverTLSConfig(f, counters)
	if err != nil {
		return err
	}
	expvar.Publish("tls", expvar.Func(func() interface{} { return counters.vars() }))
	srv.TLSConfig = cfg
	srv.ErrorLog = log.New(errorLog{counters}, "", log.LstdFlags)
	fmt.Fprintf(os.Stderr, "leaky: tls listening on %s mutual=%v\n", ln.Addr(), *f.clientCA != "")
	go func() { served <- srv.ServeTLS(obs.observeListener(ln), "", "") }()
	return nil
}
