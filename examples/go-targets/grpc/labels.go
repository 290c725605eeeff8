package main

import (
	"context"
	"runtime/pprof"

	"google.golang.org/grpc"
)

// labelUnary and labelStream run every handler under the pprof label
// method=<the call's full method> ("/leakgate.example.v1.LeakService/Ticks"), as
// request-tagging interceptors do. Goroutines a handler starts inherit the label, so a
// leaked one says which RPC left it behind: in `goroutine?debug=1` ("# labels:
// {"method":"/leakgate.example.v1.LeakService/BlockedSend"}"), in `goroutine?debug=2`
// with GODEBUG=tracebacklabels=1 (the default of a `go 1.27` module) and in the
// goroutineleak profile.
func labelUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	pprof.Do(ctx, pprof.Labels("method", info.FullMethod), func(ctx context.Context) {
		resp, err = handler(ctx, req)
	})
	return resp, err
}

func labelStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	pprof.Do(ss.Context(), pprof.Labels("method", info.FullMethod), func(ctx context.Context) {
		err = handler(srv, &labelledStream{ServerStream: ss, ctx: ctx})
	})
	return err
}

// labelledStream is ss with the labelled context, so that handlers that call pprof.Do
// again add to the labels instead of replacing them.
type labelledStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *labelledStream) Context() context.Context { return s.ctx }
