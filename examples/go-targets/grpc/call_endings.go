package main

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// callEndings counts, per RPC, how each call's context stood when its handler
// returned: "cancelled" (the client went away: RST_STREAM or connection
// closed), "deadline_exceeded", or "ok" (context still live). It lets a test or
// a scenario check from outside that the server did see a client's
// cancellation (expvar grpc_leaky.ctx_at_return).
//
// It also keeps what calls brought with them, so a client's wire form can be
// checked against grpc-go's reading of it: the last value of every "x-"
// metadata key (a "-bin" key's bytes as hex, after grpc-go decoded its
// base64) and the time left to each method's last call's deadline when its
// handler started (expvar grpc_leaky.metadata_seen, deadline_left_ms; -1: none).
type callEndings struct {
	mu       sync.Mutex
	counts   map[string]map[string]int64 // method → ending → calls
	metadata map[string]string           // "x-" key → last value
	deadline map[string]int64            // method → ms left at the last call's start
}

func newCallEndings() *callEndings {
	return &callEndings{
		counts:   make(map[string]map[string]int64),
		metadata: make(map[string]string),
		deadline: make(map[string]int64),
	}
}

func methodName(fullMethod string) string {
	return fullMethod[strings.LastIndex(fullMethod, "/")+1:]
}

// arrived records a call's metadata and deadline as its handler starts.
func (e *callEndings) arrived(fullMethod string, ctx context.Context) {
	left := int64(-1)
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d).Milliseconds()
	}
	md, _ := metadata.FromIncomingContext(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deadline[methodName(fullMethod)] = left
	for key, values := range md {
		if !strings.HasPrefix(key, "x-") || len(values) == 0 {
			continue
		}
		v := values[len(values)-1]
		if strings.HasSuffix(key, "-bin") {
			v = hex.EncodeToString([]byte(v))
		}
		e.metadata[key] = v
	}
}

func (e *callEndings) record(fullMethod string, ctx context.Context) {
	ending := "ok"
	switch ctx.Err() {
	case context.Canceled:
		ending = "cancelled"
	case context.DeadlineExceeded:
		ending = "deadline_exceeded"
	}
	method := methodName(fullMethod)
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.counts[method]
	if m == nil {
		m = make(map[string]int64)
		e.counts[method] = m
	}
	m[ending]++
}

// snapshot returns a copy for expvar.
func (e *callEndings) snapshot() map[string]map[string]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]map[string]int64, len(e.counts))
	for method, m := range e.counts {
		c := make(map[string]int64, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[method] = c
	}
	return out
}

// seen returns copies of the metadata and deadlines recorded, for expvar.
func (e *callEndings) seen() (map[string]string, map[string]int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	md := make(map[string]string, len(e.metadata))
	for k, v := range e.metadata {
		md[k] = v
	}
	left := make(map[string]int64, len(e.deadline))
	for k, v := range e.deadline {
		left[k] = v
	}
	return md, left
}

func (e *callEndings) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	e.arrived(info.FullMethod, ctx)
	resp, err := handler(ctx, req)
	e.record(info.FullMethod, ctx)
	return resp, err
}

func (e *callEndings) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	e.arrived(info.FullMethod, ss.Context())
	err := handler(srv, ss)
	e.record(info.FullMethod, ss.Context())
	return err
}

// statusFromMetadata: a call carrying metadata "x-leakgate-status: N" (N a gRPC
// code, 1..16) fails with that code. Lets a load generator check its status
// taxonomy and that its metadata arrives. Used by Hello only.
func statusFromMetadata(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("x-leakgate-status")
	if len(values) == 0 {
		return nil
	}
	n, err := strconv.Atoi(values[0])
	if err != nil || n < 0 || n > 16 {
		return status.Errorf(codes.InvalidArgument, "x-leakgate-status %q: want a gRPC code 0..16", values[0])
	}
	if n == 0 {
		return nil
	}
	return status.Errorf(codes.Code(n), "x-leakgate-status asked for %s", codes.Code(n))
}
