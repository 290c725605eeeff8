// Command leaky is leakgate's example target: an HTTP service that carries one leak per
// leak class leakgate must catch (the table is in ../README.md), each next to its fixed
// twin. `-mode leaky` serves the leaky variants, `-mode fixed` swaps every
// one of them for its fix; the endpoints are the same paths in both modes.
//
//	leaky -addr 127.0.0.1:8080 -mode leaky [-dep-addr 127.0.0.1:U] [-dep http://127.0.0.1:P]
//	      [-tls-addr 127.0.0.1:8443 -tls-cert c.pem -tls-key k.pem [-client-ca ca.pem]]
//	      [-h2c-addr 127.0.0.1:8081]
//
// The outbound calls of classes 3, 7 and 8 go to an in-process dependency server
// (dependency.go) on -dep-addr (default 127.0.0.1:0), or, with -dep, to that base URL —
// e.g. leakgate's chaos proxy in front of the in-process dependency.
//
// Besides the /leak/... endpoints (one file per class: class01_blocked_send.go, ...), it
// serves /healthz, /hello, net/http/pprof under /debug/pprof/ and expvar under /debug/vars;
// with -tls-addr, all of it over TLS too (tls_listener.go).
// SIGTERM or SIGINT shut it down (http.Server.Shutdown with a short timeout) and it exits 0.
package main

import (
	"context"
	_ "expvar" // /debug/vars on http.DefaultServeMux
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/ on http.DefaultServeMux
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("leaky", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	modeFlag := fs.String("mode", "leaky", "leaky: serve the leaky variants; fixed: serve their fixed twins")
	depFlag := fs.String("dep", "", "base URL (http://host:port) of the dependency classes 3, 7 and 8 call; empty: the in-process one")
	depAddr := fs.String("dep-addr", "127.0.0.1:0", "listen address of the in-process dependency server")
	tlsf := addTLSFlags(fs) // tls_listener.go: -tls-addr, -tls-cert, -tls-key, -client-ca
	h2cAddr := fs.String("h2c-addr", "", "listen address of the h2c (HTTP/2 without TLS) listener; empty: none")
	ignoreTerm := fs.Bool("ignore-sigterm", false, "ignore SIGTERM (a target that must be killed: tests leakgate's stop path)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "leaky: unexpected arguments: %q\n", fs.Args())
		return 2
	}
	mode, err := parseMode(*modeFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 2
	}

	depURL, err := parseDepURL(*depFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 2
	}

	// The listeners on ports the caller chose are bound before anything binds port 0 (the
	// in-process dependency): a port the caller just found free and released is what the
	// kernel hands to the next bind to port 0.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}
	tlsLn, err := listenIfSet(*tlsf.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}
	h2cLn, err := listenIfSet(*h2cAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}

	svc, err := newService(config{mode: mode, depURL: depURL, depAddr: *depAddr})
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}
	defer svc.close()
	publishVars(svc)
	obs := newObserver() // observe.go: /echo, /slow, /stream and connection counters
	publishObserve(obs)

	ln = obs.observeListener(ln)
	mux := http.NewServeMux()
	mux.Handle("/", svc.routes())
	registerObserve(mux, obs)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	stopSignals := []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
		stopSignals = stopSignals[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()

	served := make(chan error, 3)
	if err := startTLS(srv, tlsf, tlsLn, obs, served); err != nil { // before Serve: it sets srv.TLSConfig
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}
	go func() { served <- srv.Serve(ln) }()
	h2cSrv, err := startH2C(h2cLn, mux, obs, served) // h2c_listener.go
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaky: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "leaky: listening on %s mode=%s dependency=%s calls=%s\n", ln.Addr(), mode, svc.dep.url, svc.up.base)

	select {
	case err := <-served:
		fmt.Fprintf(os.Stderr, "leaky: serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	stop()
	fmt.Fprintf(os.Stderr, "leaky: shutting down\n")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if h2cSrv != nil {
		h2cSrv.Close()
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Leaked handlers (classes 3 and 8 in leaky mode) never finish: close what is left.
		srv.Close()
	}
	return 0
}

// listenIfSet listens on addr, or returns nil when addr is empty.
func listenIfSet(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	return net.Listen("tcp", addr)
}
