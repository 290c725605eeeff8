package main

// Optional TLS for the gRPC listener: with -tls-cert and -tls-key the server on -addr
// speaks gRPC over TLS (and -client-ca makes it mutual: a client certificate signed by that
// CA is required). Handshakes are counted on /debug/vars as "tls": {"handshakes": N,
// "client_certs": M} (M: handshakes that presented a verified client certificate).

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"os"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

type tlsFlags struct {
	cert, key, clientCA *string
}

func addTLSFlags(fs *flag.FlagSet) tlsFlags {
	return tlsFlags{
		cert:     fs.String("tls-cert", "", "PEM certificate: serve gRPC over TLS on -addr (with -tls-key)"),
		key:      fs.String("tls-key", "", "PEM private key of -tls-cert"),
		clientCA: fs.String("client-ca", "", "PEM CA: require client certificates it signed (mutual TLS)"),
	}
}

// serverOption returns the TLS credentials option, or nil when TLS is off.
func (f tlsFlags) serverOption() (grpc.ServerOption, error) {
	if *f.cert == "" && *f.key == "" {
		if *f.clientCA != "" {
			return nil, errors.New("-client-ca needs -tls-cert and -tls-key")
		}
		return nil, nil
	}
	if *f.cert == "" || *f.key == "" {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	pair, err := tls.LoadX509KeyPair(*f.cert, *f.key)
	if err != nil {
		return nil, err
	}
	var handshakes, clientCerts atomic.Int64
	expvar.Publish("tls", expvar.Func(func() interface{} {
		return map[string]int64{"handshakes": handshakes.Load(), "client_certs": clientCerts.Load()}
	}))
	cfg := &tls.Config{
		Certificates: []tls.Certificate{pair},
		MinVersion:   tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			handshakes.Add(1)
			if len(cs.VerifiedChains) > 0 {
				clientCerts.Add(1)
			}
			return nil
		},
	}
	if *f.clientCA != "" {
		pem, err := os.ReadFile(*f.clientCA)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("-client-ca %s: no PEM certificate", *f.clientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return grpc.Creds(credentials.NewTLS(cfg)), nil
}
