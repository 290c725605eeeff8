// Command grpc-leaky-drive makes a running grpc-leaky leak on purpose: it
// calls the leaking RPCs with client-side cancellation, the trigger each leak
// class needs, and exits. It is for trying the target by hand; leakgate's own
// client does this in tests, and cmd/capture-fixtures for the fixtures.
//
//	grpc-leaky-drive -addr 127.0.0.1:50051 -rpc Ticks -n 20
//	grpc-leaky-drive -addr 127.0.0.1:50051 -rpc BlockedSend -n 20 -timeout 10ms
//
// -rpc BlockedSend|LostCancel: n unary calls, each with a client deadline of
// -timeout. -rpc Ticks: n server streams, each cancelled after -ticks messages.
// -rpc Hello: n plain calls. Calls run -concurrency at a time.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
	"leakgate.dev/examples/go-targets/grpc/internal/drive"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "grpc-leaky's gRPC address")
	rpc := flag.String("rpc", "Ticks", "Hello, BlockedSend, LostCancel or Ticks")
	n := flag.Int("n", 20, "number of calls or streams")
	concurrency := flag.Int("concurrency", 10, "calls in flight at once")
	timeout := flag.Duration("timeout", 10*time.Millisecond, "client deadline for BlockedSend and LostCancel")
	workMs := flag.Int("work-ms", 0, "work_ms to send (0: the server's default)")
	ticks := flag.Int("ticks", 3, "Ticks: messages to read before cancelling the stream")
	flag.Parse()

	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	call, err := drive.Call(leakv1.NewLeakServiceClient(conn), *rpc,
		drive.Options{Timeout: *timeout, WorkMs: int32(*workMs), Ticks: *ticks})
	if err != nil {
		fmt.Fprintf(os.Stderr, "grpc-leaky-drive: %v\n", err)
		os.Exit(2)
	}
	failed := drive.Run(*n, *concurrency, call)
	for i, err := range failed {
		fmt.Fprintf(os.Stderr, "call %d: %v\n", i, err)
	}
	fmt.Printf("%s: %d calls, %d failed\n", *rpc, *n, len(failed))
	if len(failed) > 0 {
		os.Exit(1)
	}
}
