package main

import (
	"context"
	"time"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

// Class 3 — lost cancellation, gRPC unary form.
//
// /leakgate.example.v1.LeakService/LostCancel  {work_ms: N}   (default work_ms 60000)
//
// The handler calls a slow in-process dependency from a goroutine and waits for
// it or for the RPC context to end:
//
//	go slowDependency(depCtx, d, done)
//	select { case err := <-done: ...; case <-ctx.Done(): return nil, status(ctx) }
//
// slowDependency honours the context it is given. Leaky: it is given
// context.Background(), so when the client cancels, the handler returns but
// main.slowDependency keeps waiting in `select` for its full work_ms (60 s by
// default): goroutines pile up for as long as the dependency is slow.
//
// Fixed: it is given the RPC's context, so it returns as soon as the client
// cancels. (done has a buffer of one in both modes: the only difference is the
// lost cancellation, not a blocked send.)
func (s *leakServer) LostCancel(ctx context.Context, req *leakv1.WorkRequest) (*leakv1.WorkReply, error) {
	s.calls.lostCancel.Add(1)
	d := msOr(req.GetWorkMs(), 60*time.Second)
	start := time.Now()

	depCtx := ctx // the fix: the dependency sees the client's cancellation
	if !s.fixed {
		depCtx = context.Background() // the leak: cancellation is lost on the way down
	}
	done := make(chan error, 1)
	s.inflight.slowDependency.Add(1)
	go slowDependency(s, depCtx, d, done)

	select {
	case err := <-done:
		if err != nil {
			return nil, ctxStatus(depCtx)
		}
		return &leakv1.WorkReply{
			Id:        req.GetId(),
			ElapsedMs: time.Since(start).Milliseconds(),
			Mode:      string(s.mode),
		}, nil
	case <-ctx.Done():
		return nil, ctxStatus(ctx)
	}
}

// slowDependency stands for a call to a slow backend (a database, another
// service) that does honour its context: it takes d unless ctx ends first.
func slowDependency(s *leakServer, ctx context.Context, d time.Duration, done chan<- error) {
	defer s.inflight.slowDependency.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		done <- nil
	case <-ctx.Done():
		done <- ctx.Err()
	}
}
