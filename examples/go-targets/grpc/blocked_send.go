package main

import (
	"context"
	"time"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

// Class 1 — blocked send, gRPC unary form.
//
// /leakgate.example.v1.LeakService/BlockedSend  {work_ms: N}   (default work_ms 30)
//
// The handler hands the work to a goroutine and waits for its result or for the
// RPC context to end (client cancel, client deadline), whichever comes first:
//
//	go func() { ch <- work(d) }()
//	select { case el := <-ch: ...; case <-ctx.Done(): return nil, status(ctx) }
//
// Leaky: ch is unbuffered. Once the handler has returned early, nobody will ever
// receive: main.(*leakServer).BlockedSend.func1 blocks forever in `chan send`.
//
// Fixed: ch has a buffer of one, so the send always completes and the goroutine
// exits whether or not the handler is still waiting.
//
// Without client cancellation (deadline > work_ms) neither variant leaks: the
// harness triggers the leak by cancelling calls after ~10 ms.
func (s *leakServer) BlockedSend(ctx context.Context, req *leakv1.WorkRequest) (*leakv1.WorkReply, error) {
	s.calls.blockedSend.Add(1)
	d := msOr(req.GetWorkMs(), 30*time.Millisecond)
	start := time.Now()

	var ch chan time.Duration
	if s.fixed {
		ch = make(chan time.Duration, 1) // the fix: the sender never waits for a receiver
	} else {
		ch = make(chan time.Duration) // the leak: a sender with nobody left to receive blocks forever
	}
	// This closure must stay the first function literal in BlockedSend: it is
	// main.(*leakServer).BlockedSend.func1 in every stack dump, and the tests
	// look for that name.
	s.inflight.blockedSend.Add(1)
	go func() {
		defer s.inflight.blockedSend.Add(-1)
		ch <- work(d)
	}()

	select {
	case <-ch:
		return &leakv1.WorkReply{
			Id:        req.GetId(),
			ElapsedMs: time.Since(start).Milliseconds(),
			Mode:      string(s.mode),
		}, nil
	case <-ctx.Done():
		return nil, ctxStatus(ctx) // the client went away: nobody reads ch any more
	}
}

// work stands for the real work (a query, a computation): it takes d and does
// not look at any context, like most CPU-bound or legacy code.
func work(d time.Duration) time.Duration {
	start := time.Now()
	time.Sleep(d)
	return time.Since(start)
}
