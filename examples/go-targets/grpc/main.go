// Command grpc-leaky is leakgate's gRPC example target: a gRPC service
// (leakgate.example.v1.LeakService, proto/leakgate/example/v1/leak.proto) that
// carries the gRPC forms of leak classes 1, 3 and 12 (the table is in
// README.md), each next to its fixed twin. `-mode leaky` serves the leaky
// variants, `-mode fixed` their fixes; the RPCs are the same in both modes.
//
//	grpc-leaky -addr 127.0.0.1:50051 -pprof-addr 127.0.0.1:6061 -mode leaky
//	grpc-leaky ... -tls-cert server.pem -tls-key server.key [-client-ca ca.pem]   # gRPC over (mutual) TLS
//
// Besides LeakService, the gRPC server serves server reflection and the
// standard health service (grpc.health.v1.Health). The side HTTP server on
// -pprof-addr serves net/http/pprof under /debug/pprof/, expvar under
// /debug/vars and /healthz (200 once the gRPC server is serving, 503 before).
// SIGTERM or SIGINT shut it down (GracefulStop with a short timeout, then
// Stop) and it exits 0.
//
//go:generate ./generate.sh
package main

import (
	"context"
	"errors"
	_ "expvar" // /debug/vars on http.DefaultServeMux
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/ on http.DefaultServeMux
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

const progName = "grpc-leaky"

// gracefulStopTimeout bounds GracefulStop on SIGTERM/SIGINT: a client that
// keeps a Ticks or Chat stream open would otherwise hold the shutdown forever.
const gracefulStopTimeout = 2 * time.Second

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:50051", "gRPC listen address (host:port)")
	pprofAddr := fs.String("pprof-addr", "127.0.0.1:6061", "side HTTP listen address for /debug/pprof/, /debug/vars and /healthz (empty: none)")
	modeFlag := fs.String("mode", "leaky", "leaky: serve the leaky variants; fixed: serve their fixed twins")
	tlsf := addTLSFlags(fs) // tls.go: -tls-cert, -tls-key, -client-ca
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected arguments: %q\n", progName, fs.Args())
		return 2
	}
	mode, err := parseMode(*modeFlag)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName, err)
		return 2
	}

	svc := newLeakServer(mode)
	publishVars(svc)
	tlsOption, err := tlsf.serverOption()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName, err)
		return 2
	}
	srv, healthSrv := newGRPCServer(svc, tlsOption)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName, err)
		return 1
	}

	var serving atomic.Bool
	var side *http.Server
	sideErr := make(chan error, 1)
	if *pprofAddr != "" {
		sideLn, err := net.Listen("tcp", *pprofAddr)
		if err != nil {
			ln.Close()
			fmt.Fprintf(os.Stderr, "%s: %v\n", progName, err)
			return 1
		}
		mux := http.NewServeMux()
		mux.Handle("/debug/", http.DefaultServeMux) // pprof and expvar register there
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if !serving.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "starting")
				return
			}
			fmt.Fprintln(w, "ok")
		})
		side = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { sideErr <- side.Serve(sideLn) }()
		fmt.Fprintf(os.Stderr, "%s: pprof/healthz on http://%s\n", progName, sideLn.Addr())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// The listener is bound and Serve is running: connections are accepted from here on.
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthSrv.SetServingStatus(leakv1.LeakService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	serving.Store(true)
	fmt.Fprintf(os.Stderr, "%s: listening on %s mode=%s\n", progName, ln.Addr(), mode)

	code := 0
	select {
	case err := <-served:
		fmt.Fprintf(os.Stderr, "%s: serve: %v\n", progName, err)
		code = 1
	case err := <-sideErr:
		fmt.Fprintf(os.Stderr, "%s: pprof server: %v\n", progName, err)
		code = 1
	case <-ctx.Done():
		fmt.Fprintf(os.Stderr, "%s: shutting down\n", progName)
	}
	stop()
	serving.Store(false)
	healthSrv.Shutdown() // health checks answer NOT_SERVING while draining

	stopped := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(gracefulStopTimeout):
		// Open streams (a Ticks or Chat client that stays) would block GracefulStop: cut them.
		srv.Stop()
		<-stopped
	}
	if side != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := side.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			side.Close()
		}
		cancel()
	}
	return code
}

// newGRPCServer builds the gRPC server with LeakService, the health service
// (all NOT_SERVING until the caller marks it serving) and server reflection.
func newGRPCServer(svc *leakServer, extra ...grpc.ServerOption) (*grpc.Server, *health.Server) {
	options := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(labelUnary, svc.endings.unary),
		grpc.ChainStreamInterceptor(labelStream, svc.endings.stream),
	}
	for _, o := range extra {
		if o != nil {
			options = append(options, o)
		}
	}
	srv := grpc.NewServer(options...)
	leakv1.RegisterLeakServiceServer(srv, svc)
	healthSrv := health.NewServer()
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	healthSrv.SetServingStatus(leakv1.LeakService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_NOT_SERVING)
	healthpb.RegisterHealthServer(srv, healthSrv)
	reflection.Register(srv)
	return srv, healthSrv
}
