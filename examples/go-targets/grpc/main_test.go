package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

// The names and states a leaked goroutine shows in the real binary's
// goroutine?debug=2 dump. In a test binary the same functions are named by the
// module path instead of "main" (leakgate.dev/examples/go-targets/grpc.slowDependency):
// mainName maps them back.
const (
	blockedSendLeaker    = "main.(*leakServer).BlockedSend.func1"
	slowDependencyLeaker = "main.slowDependency"
	tickProducerLeaker   = "main.tickProducer"
	ticksHandler         = "main.(*leakServer).Ticks"
)

// calls per leaking RPC, and how many of them must leak in leaky mode.
const (
	nCalls   = 50
	minLeak  = 40
	slackFix = 3 // fixed: goroutines must come back to within this of the baseline
)

type testServer struct {
	client leakv1.LeakServiceClient
	conn   *grpc.ClientConn
	srv    *grpc.Server
	svc    *leakServer
}

// startServer serves LeakService (mode m) on a loopback port-0 listener, so that
// client cancellation travels as a real HTTP/2 RST_STREAM, and dials it.
func startServer(t *testing.T, m mode) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc := newLeakServer(m)
	srv, healthSrv := newGRPCServer(svc)
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	go srv.Serve(ln)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	ts := &testServer{client: leakv1.NewLeakServiceClient(conn), conn: conn, srv: srv, svc: svc}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop()
	})
	// Warm up: connect, so the transport's own goroutines are in the baseline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := ts.client.Hello(ctx, &leakv1.HelloRequest{Name: "warmup"}); err != nil {
		t.Fatalf("warm-up Hello: %v", err)
	}
	return ts
}

// settledGoroutines waits for the goroutine count to stop moving (stragglers of
// earlier subtests, GC workers) and returns it.
func settledGoroutines() int {
	prev := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n == prev {
			return n
		}
		prev = n
	}
	return prev
}

// goroutineTops parses a goroutine?debug=2 dump into "function [state]" →
// count, keyed by each goroutine's top (first shown) frame.
func goroutineTops(t *testing.T) map[string]int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	return parseTops(buf.String())
}

const testPkgPrefix = "leakgate.dev/examples/go-targets/grpc."

// mainName gives a function the name it has in the real binary.
func mainName(fn string) string {
	if rest, ok := strings.CutPrefix(fn, testPkgPrefix); ok {
		return "main." + rest
	}
	return fn
}

func parseTops(dump string) map[string]int {
	tops := map[string]int{}
	for _, block := range strings.Split(dump, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "goroutine ") {
			continue
		}
		state := lines[0]
		if i, j := strings.Index(state, "["), strings.LastIndex(state, "]"); i >= 0 && j > i {
			state = state[i+1 : j]
		}
		state, _, _ = strings.Cut(state, ",") // "chan send, 2 minutes"
		fn := mainName(lines[1])
		if i := strings.LastIndex(fn, "("); i > 0 {
			fn = fn[:i] // drop the argument list
		}
		tops[fn+" ["+state+"]"]++
	}
	return tops
}

// countFrames counts goroutines in a debug=2 dump with a frame of function fn anywhere.
func countFrames(t *testing.T, fn string) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(buf.String(), "\n\n") {
		for _, line := range strings.Split(block, "\n") {
			if strings.HasPrefix(mainName(line), fn+"(") {
				n++
				break
			}
		}
	}
	return n
}

func describeTops(tops map[string]int) string {
	keys := make([]string, 0, len(tops))
	for k := range tops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return tops[keys[i]] > tops[keys[j]] })
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %4d %s\n", tops[k], k)
	}
	return b.String()
}

// parallel runs f(i) for i in [0, n) at once and waits for all.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// callDeadline is the client deadline of the cancelled unary calls. It leaves a
// loaded machine time to deliver each call to its handler before it expires (a
// call that expires on the client before it is sent never reaches the server);
// blockedSendWork is BlockedSend's work, far longer, so that the handler sees
// its context end first (with both ready at once, select would pick either).
const (
	callDeadline    = 100 * time.Millisecond
	blockedSendWork = 1000 // ms
)

// cancelledUnary calls an RPC nCalls times with a callDeadline client deadline
// and checks every call ended in DeadlineExceeded (the early-return path).
func cancelledUnary(t *testing.T, call func(ctx context.Context, req *leakv1.WorkRequest) (*leakv1.WorkReply, error), workMs int32) {
	t.Helper()
	errs := make([]error, nCalls)
	parallel(nCalls, func(i int) {
		ctx, cancel := context.WithTimeout(context.Background(), callDeadline)
		defer cancel()
		_, errs[i] = call(ctx, &leakv1.WorkRequest{Id: fmt.Sprint(i), WorkMs: workMs})
	})
	for i, err := range errs {
		if status.Code(err) != codes.DeadlineExceeded {
			t.Fatalf("call %d: got %v, want DeadlineExceeded", i, err)
		}
	}
}

// cancelledTicks opens nCalls Ticks streams, reads 3 ticks from each and cancels it.
func cancelledTicks(t *testing.T, c leakv1.LeakServiceClient) {
	t.Helper()
	errs := make([]error, nCalls)
	parallel(nCalls, func(i int) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stream, err := c.Ticks(ctx, &leakv1.StreamRequest{Id: fmt.Sprint(i)})
		if err != nil {
			errs[i] = err
			return
		}
		for k := int64(1); k <= 3; k++ {
			tick, err := stream.Recv()
			if err != nil {
				errs[i] = err
				return
			}
			if tick.GetSeq() != k {
				errs[i] = fmt.Errorf("tick seq %d, want %d", tick.GetSeq(), k)
				return
			}
		}
		cancel() // RST_STREAM mid-way through 1,000,000 ticks
		// Ticks already received before the cancel may still be read; then the
		// stream must end with Canceled.
		var end error
		for k := 0; k < 1000 && end == nil; k++ {
			_, end = stream.Recv()
		}
		if status.Code(end) != codes.Canceled {
			errs[i] = fmt.Errorf("Recv after cancel: %v, want Canceled", end)
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
	}
}

type leakCase struct {
	name   string
	leaker string // top frame of a leaked goroutine
	state  string // its state in the dump
	drive  func(t *testing.T, ts *testServer)
}

var leakCases = []leakCase{
	{
		name: "BlockedSend", leaker: blockedSendLeaker, state: "chan send",
		drive: func(t *testing.T, ts *testServer) {
			cancelledUnary(t, func(ctx context.Context, req *leakv1.WorkRequest) (*leakv1.WorkReply, error) {
				return ts.client.BlockedSend(ctx, req)
			}, blockedSendWork) // > the deadline
		},
	},
	{
		name: "LostCancel", leaker: slowDependencyLeaker, state: "select",
		drive: func(t *testing.T, ts *testServer) {
			cancelledUnary(t, func(ctx context.Context, req *leakv1.WorkRequest) (*leakv1.WorkReply, error) {
				return ts.client.LostCancel(ctx, req)
			}, 0) // default work_ms 60000
		},
	},
	{
		name: "Ticks", leaker: tickProducerLeaker, state: "chan send",
		drive: func(t *testing.T, ts *testServer) { cancelledTicks(t, ts.client) },
	},
}

// workSettle is longer than a Ticks interval; then the tests poll, for longer
// than BlockedSend's work, until a fixed goroutine has finished and a leaky one
// is in its final state.
const workSettle = 300 * time.Millisecond

func TestLeakyModeLeaks(t *testing.T) {
	for _, lc := range leakCases {
		t.Run(lc.name, func(t *testing.T) {
			ts := startServer(t, modeLeaky)
			base := settledGoroutines()
			baseLeakers := goroutineTops(t)[lc.leaker+" ["+lc.state+"]"]
			lc.drive(t, ts)

			time.Sleep(workSettle)
			var n, leaked int
			var tops map[string]int
			deadline := time.Now().Add(3 * time.Second)
			for {
				n = runtime.NumGoroutine()
				tops = goroutineTops(t)
				leaked = tops[lc.leaker+" ["+lc.state+"]"] - baseLeakers
				if (n-base >= minLeak && leaked >= minLeak) || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("leaky %s: goroutines %d -> %d (+%d), %d x %s [%s]", lc.name, base, n, n-base, leaked, lc.leaker, lc.state)
			if n-base < minLeak || leaked < minLeak {
				t.Fatalf("leaky %s: goroutines %d -> %d, %d new %s [%s]; want >= %d\n%s",
					lc.name, base, n, leaked, lc.leaker, lc.state, minLeak, describeTops(tops))
			}
			if lc.name == "Ticks" {
				// The leak is a goroutine that outlives the call: the handlers returned.
				h := countFrames(t, ticksHandler)
				for end := time.Now().Add(2 * time.Second); h != 0 && time.Now().Before(end); h = countFrames(t, ticksHandler) {
					time.Sleep(50 * time.Millisecond)
				}
				if h != 0 {
					t.Fatalf("%d goroutines still in %s; want 0 (handlers return when Send fails)\n%s", h, ticksHandler, describeTops(tops))
				}
			}
		})
	}
}

func TestFixedModeReturnsToBaseline(t *testing.T) {
	for _, lc := range leakCases {
		t.Run(lc.name, func(t *testing.T) {
			ts := startServer(t, modeFixed)
			base := settledGoroutines()
			baseLeakers := countFrames(t, lc.leaker) // leaky subtests' leftovers, if any
			lc.drive(t, ts)

			time.Sleep(workSettle)
			var n, c int
			deadline := time.Now().Add(5 * time.Second)
			for {
				n = runtime.NumGoroutine()
				c = countFrames(t, lc.leaker) - baseLeakers
				if (n-base <= slackFix && c <= 0) || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("fixed %s: goroutines %d -> %d (%+d)", lc.name, base, n, n-base)
			if n-base > slackFix {
				t.Fatalf("fixed %s: goroutines %d -> %d; want within %d of the baseline\n%s",
					lc.name, base, n, slackFix, describeTops(goroutineTops(t)))
			}
			if c > 0 {
				t.Fatalf("fixed %s: %d new goroutines still in %s", lc.name, c, lc.leaker)
			}
		})
	}
}

// Without cancellation nothing leaks in either mode: the leak needs the early return.
func TestNoCancelNoLeak(t *testing.T) {
	for _, m := range []mode{modeLeaky, modeFixed} {
		t.Run(string(m), func(t *testing.T) {
			ts := startServer(t, m)
			base := settledGoroutines()
			parallel(20, func(i int) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, err := ts.client.BlockedSend(ctx, &leakv1.WorkRequest{WorkMs: 5}); err != nil {
					t.Errorf("BlockedSend: %v", err)
				}
				if _, err := ts.client.LostCancel(ctx, &leakv1.WorkRequest{WorkMs: 5}); err != nil {
					t.Errorf("LostCancel: %v", err)
				}
				stream, err := ts.client.Ticks(ctx, &leakv1.StreamRequest{Count: 5, IntervalMs: 1})
				if err != nil {
					t.Errorf("Ticks: %v", err)
					return
				}
				got := 0
				for {
					if _, err := stream.Recv(); err != nil {
						if !errors.Is(err, io.EOF) {
							t.Errorf("Ticks Recv: %v", err)
						}
						break
					}
					got++
				}
				if got != 5 {
					t.Errorf("Ticks: %d ticks, want 5", got)
				}
			})
			var n int
			deadline := time.Now().Add(5 * time.Second)
			for {
				n = runtime.NumGoroutine()
				if n-base <= slackFix || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n-base > slackFix {
				t.Fatalf("%s without cancellation: goroutines %d -> %d\n%s", m, base, n, describeTops(goroutineTops(t)))
			}
		})
	}
}

func TestHelloCollectChat(t *testing.T) {
	for _, m := range []mode{modeLeaky, modeFixed} {
		t.Run(string(m), func(t *testing.T) {
			ts := startServer(t, m)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			hr, err := ts.client.Hello(ctx, &leakv1.HelloRequest{
				Name: "gopher", Repeat: 2, Tags: []string{"a", "b"},
				Priority: leakv1.Priority_PRIORITY_HIGH, Label: &leakv1.Label{Key: "k", Value: "v"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if hr.GetMessage() != "hello gopher gopher" || len(hr.GetTags()) != 2 ||
				hr.GetPriority() != leakv1.Priority_PRIORITY_HIGH || hr.GetLabel().GetValue() != "v" {
				t.Fatalf("Hello reply %v", hr)
			}

			cs, err := ts.client.Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 4; i++ {
				if err := cs.Send(&leakv1.Item{Name: fmt.Sprint("item", i), Value: int64(i)}); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := cs.CloseAndRecv()
			if err != nil {
				t.Fatal(err)
			}
			if sum.GetCount() != 4 || sum.GetTotal() != 10 || len(sum.GetNames()) != 4 {
				t.Fatalf("Collect summary %v", sum)
			}

			chat, err := ts.client.Chat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 3; i++ {
				if err := chat.Send(&leakv1.ChatMessage{From: "client", Text: fmt.Sprint("msg", i)}); err != nil {
					t.Fatal(err)
				}
				echo, err := chat.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if echo.GetText() != fmt.Sprint("msg", i) || echo.GetSeq() != int64(i) || echo.GetFrom() != "server" {
					t.Fatalf("Chat echo %v", echo)
				}
			}
			if err := chat.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := chat.Recv(); !errors.Is(err, io.EOF) {
				t.Fatalf("Chat after CloseSend: %v, want EOF", err)
			}

			// The standard health service and server reflection are there too.
			hc, err := healthpb.NewHealthClient(ts.conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_SERVING {
				t.Fatalf("health Check: %v %v", hc, err)
			}
			rs, err := reflectionpb.NewServerReflectionClient(ts.conn).ServerReflectionInfo(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := rs.Send(&reflectionpb.ServerReflectionRequest{
				MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
			}); err != nil {
				t.Fatal(err)
			}
			rr, err := rs.Recv()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range rr.GetListServicesResponse().GetService() {
				names = append(names, s.GetName())
			}
			if !strings.Contains(strings.Join(names, " "), "leakgate.example.v1.LeakService") {
				t.Fatalf("reflection lists %v", names)
			}
			rs.CloseSend()
		})
	}
}

func TestBadModeExits2(t *testing.T) {
	if code := run([]string{"-mode", "bogus", "-addr", "127.0.0.1:0", "-pprof-addr", ""}); code != 2 {
		t.Fatalf("run -mode bogus = %d, want 2", code)
	}
}

func TestParseTops(t *testing.T) {
	dump := "goroutine 7 [chan send, 2 minutes]:\nmain.(*leakServer).BlockedSend.func1()\n\t/x/blocked_send.go:44 +0x55\ncreated by main.(*leakServer).BlockedSend in goroutine 6\n\t/x/blocked_send.go:42 +0x1a\n\n" +
		"goroutine 8 [select]:\nmain.slowDependency(0xc000010000, {0x9e0a28, 0xc0000a8000}, 0xdf8475800, 0xc000022060)\n\t/x/lost_cancel.go:60 +0xd0\n"
	tops := parseTops(dump)
	if tops["main.(*leakServer).BlockedSend.func1 [chan send]"] != 1 || tops["main.slowDependency [select]"] != 1 {
		t.Fatalf("parseTops = %v", tops)
	}
}

// The committed fixture (a real binary's dump, see README.md) must still show
// the leakers under the names this code gives them.
func TestFixtureNames(t *testing.T) {
	const fixture = "../../../tests/fixtures/goroutines/go1.26/grpc-leaky.debug2.txt"
	b, err := os.ReadFile(fixture)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not there", fixture)
	}
	if err != nil {
		t.Fatal(err)
	}
	tops := parseTops(string(b))
	for _, k := range []string{blockedSendLeaker + " [chan send]", tickProducerLeaker + " [chan send]"} {
		if tops[k] != 20 {
			t.Errorf("fixture: %d x %s, want 20\n%s", tops[k], k, describeTops(tops))
		}
	}
}

func TestCallEndingsAndMetadataStatus(t *testing.T) {
	ts := startServer(t, modeFixed)
	svc := ts.svc
	md := metadata.Pairs("x-leakgate-status", "14")
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), md), 5*time.Second)
	defer cancel()
	if _, err := ts.client.Hello(ctx, &leakv1.HelloRequest{}); status.Code(err) != codes.Unavailable {
		t.Fatalf("Hello with x-leakgate-status 14: %v, want UNAVAILABLE", err)
	}
	sctx, scancel := context.WithCancel(context.Background())
	stream, err := ts.client.Ticks(sctx, &leakv1.StreamRequest{IntervalMs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	scancel()
	deadline := time.Now().Add(5 * time.Second)
	for svc.endings.snapshot()["Ticks"]["cancelled"] != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("ctx_at_return = %v, want Ticks cancelled 1", svc.endings.snapshot())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := svc.endings.snapshot()["Hello"]["ok"]; got < 2 {
		t.Fatalf("Hello ok endings = %d, want >= 2 (warm-up and the status call)", got)
	}
}

// What a call brings is recorded as grpc-go read it: "x-" metadata (binary
// values as hex) and the time left to the deadline when the handler started.
func TestMetadataAndDeadlineSeen(t *testing.T) {
	ts := startServer(t, modeFixed)
	md := metadata.Pairs("x-user", "alice", "x-blob-bin", "\x00\xffok", "other", "ignored")
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), md), 3*time.Second)
	defer cancel()
	if _, err := ts.client.Hello(ctx, &leakv1.HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	seen, left := ts.svc.endings.seen()
	if seen["x-user"] != "alice" || seen["x-blob-bin"] != "00ff6f6b" || seen["other"] != "" {
		t.Fatalf("metadata_seen = %v, want x-user alice, x-blob-bin 00ff6f6b, no other", seen)
	}
	if left["Hello"] < 2000 || left["Hello"] > 3000 {
		t.Fatalf("deadline_left_ms[Hello] = %d, want 2000..3000", left["Hello"])
	}
}
