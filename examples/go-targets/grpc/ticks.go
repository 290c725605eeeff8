package main

import (
	"context"
	"time"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

// Class 12 — stream ignores cancel, gRPC server-streaming form.
//
// /leakgate.example.v1.LeakService/Ticks  {count: N, interval_ms: M}
// (defaults: count 1,000,000, interval_ms 10)
//
// The handler hands producing to a goroutine and forwards what it produces:
//
//	go tickProducer(...ch)
//	for t := range ch { if err := stream.Send(t); err != nil { return err } }
//
// Leaky: ch is unbuffered and main.tickProducer never watches
// stream.Context().Done(). When the client cancels the stream (RST_STREAM) the
// handler's next Send fails and the handler returns — the call is over — but the
// producer's next `ch <- tick` has no receiver: it blocks forever in
// `chan send`, a goroutine that outlives the call.
//
// Fixed: the producer selects on ctx.Done() both while pacing and while
// sending, and the handler selects on ctx.Done() too; both return when the
// client cancels.
func (s *leakServer) Ticks(req *leakv1.StreamRequest, stream leakv1.LeakService_TicksServer) error {
	s.calls.ticks.Add(1)
	count := req.GetCount()
	if count <= 0 {
		count = 1_000_000
	}
	interval := msOr(req.GetIntervalMs(), 10*time.Millisecond)
	ctx := stream.Context()

	ch := make(chan *leakv1.Tick)
	s.inflight.tickProducer.Add(1)
	go tickProducer(s, ctx, req.GetId(), count, interval, ch)

	if !s.fixed {
		for t := range ch {
			if err := stream.Send(t); err != nil {
				return err // the call ends here; the producer does not
			}
		}
		return nil
	}
	for {
		select {
		case t, ok := <-ch:
			if !ok {
				return nil
			}
			if err := stream.Send(t); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctxStatus(ctx)
		}
	}
}

// tickProducer makes count ticks, one every interval, and sends them on out,
// closing it when done. In leaky mode it ignores ctx (the leak); in fixed mode it
// returns as soon as ctx ends.
func tickProducer(s *leakServer, ctx context.Context, id string, count int64, interval time.Duration, out chan<- *leakv1.Tick) {
	defer s.inflight.tickProducer.Add(-1)
	defer close(out)
	var pace *time.Ticker
	if interval > 0 {
		pace = time.NewTicker(interval)
		defer pace.Stop()
	}
	for seq := int64(1); seq <= count; seq++ {
		if pace != nil {
			if s.fixed {
				select {
				case <-pace.C:
				case <-ctx.Done():
					return
				}
			} else {
				<-pace.C
			}
		}
		t := &leakv1.Tick{Seq: seq, ServerUnixNanos: time.Now().UnixNano(), Id: id}
		if s.fixed {
			select {
			case out <- t:
			case <-ctx.Done():
				return
			}
		} else {
			out <- t // the leak: blocks forever once the handler has stopped receiving
		}
	}
}
