package main

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

type mode string

const (
	modeLeaky mode = "leaky"
	modeFixed mode = "fixed"
)

func parseMode(s string) (mode, error) {
	switch mode(s) {
	case modeLeaky, modeFixed:
		return mode(s), nil
	}
	return "", fmt.Errorf("unknown -mode %q: want leaky or fixed", s)
}

// leakServer implements leakgate.example.v1.LeakService. The leaking RPCs are
// in blocked_send.go (class 1), lost_cancel.go (class 3) and ticks.go
// (class 12); Hello, Collect and Chat below leak in neither mode.
type leakServer struct {
	leakv1.UnimplementedLeakServiceServer
	mode  mode
	fixed bool

	calls struct {
		hello, blockedSend, lostCancel, ticks, collect, chat atomic.Int64
	}
	// Goroutines started by the leaking RPCs that have not finished yet: the
	// ones that leaked (leaky mode) and the ones still working.
	inflight struct {
		blockedSend, slowDependency, tickProducer atomic.Int64
	}
	// How each call's context stood when its handler returned (call_endings.go).
	endings *callEndings
}

func newLeakServer(m mode) *leakServer {
	return &leakServer{mode: m, fixed: m == modeFixed, endings: newCallEndings()}
}

// publishVars exposes the counters under /debug/vars as "grpc_leaky". Only the
// binary calls it (expvar names can be published once per process).
func publishVars(s *leakServer) {
	expvar.Publish("grpc_leaky", expvar.Func(func() any {
		metadataSeen, deadlineLeft := s.endings.seen()
		return map[string]any{
			"metadata_seen":    metadataSeen,
			"deadline_left_ms": deadlineLeft,
			"mode":             string(s.mode),
			"calls": map[string]int64{
				"Hello":       s.calls.hello.Load(),
				"BlockedSend": s.calls.blockedSend.Load(),
				"LostCancel":  s.calls.lostCancel.Load(),
				"Ticks":       s.calls.ticks.Load(),
				"Collect":     s.calls.collect.Load(),
				"Chat":        s.calls.chat.Load(),
			},
			"goroutines_not_finished": map[string]int64{
				"BlockedSend.func1": s.inflight.blockedSend.Load(),
				"slowDependency":    s.inflight.slowDependency.Load(),
				"tickProducer":      s.inflight.tickProducer.Load(),
			},
			"ctx_at_return": s.endings.snapshot(),
		}
	}))
}

// msOr turns a request's millisecond field into a duration, 0 meaning def.
func msOr(ms int32, def time.Duration) time.Duration {
	if ms == 0 {
		return def
	}
	if ms < 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// ctxStatus is the gRPC status for an RPC that gave up because its context ended.
func ctxStatus(ctx context.Context) error {
	return status.FromContextError(ctx.Err()).Err()
}

// Hello is the fast unary RPC, for benchmarks: it echoes the request.
func (s *leakServer) Hello(ctx context.Context, req *leakv1.HelloRequest) (*leakv1.HelloReply, error) {
	s.calls.hello.Add(1)
	if err := statusFromMetadata(ctx); err != nil {
		return nil, err
	}
	n := int(req.GetRepeat())
	if n < 1 {
		n = 1
	}
	if n > 1000 {
		return nil, status.Errorf(codes.InvalidArgument, "repeat %d > 1000", n)
	}
	name := req.GetName()
	if name == "" {
		name = "world"
	}
	return &leakv1.HelloReply{
		Message:         "hello " + strings.TrimSuffix(strings.Repeat(name+" ", n), " "),
		Tags:            req.GetTags(),
		Priority:        req.GetPriority(),
		Label:           req.GetLabel(),
		ServerUnixNanos: time.Now().UnixNano(),
	}, nil
}

// Collect (client streaming) sums the items it receives. Same in both modes.
func (s *leakServer) Collect(stream leakv1.LeakService_CollectServer) error {
	s.calls.collect.Add(1)
	sum := &leakv1.Summary{}
	for {
		item, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(sum)
		}
		if err != nil {
			return err
		}
		sum.Count++
		sum.Total += item.GetValue()
		if len(sum.Names) < 1000 {
			sum.Names = append(sum.Names, item.GetName())
		}
	}
}

// Chat (bidirectional streaming) echoes every message, seq set by the server.
// Same in both modes.
func (s *leakServer) Chat(stream leakv1.LeakService_ChatServer) error {
	s.calls.chat.Add(1)
	var seq int64
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		seq++
		if err := stream.Send(&leakv1.ChatMessage{
			From:     "server",
			Text:     msg.GetText(),
			Seq:      seq,
			Priority: msg.GetPriority(),
		}); err != nil {
			return err
		}
	}
}
