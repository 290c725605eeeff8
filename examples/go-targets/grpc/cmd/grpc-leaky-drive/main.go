// Command grpc-leaky-drive makes a running grpc-leaky leak on purpose: it
// calls the leaking RPCs with client-side cancellation, the trigger each leak
// class needs, and exits. It is for trying the target by hand and for
// regenerating the goroutine fixtures; leakgate's own client does this in tests.
//
//	grpc-leaky-drive -addr 127.0.0.1:50051 -rpc Ticks -n 20
//	grpc-leaky-drive -addr 127.0.0.1:50051 -rpc BlockedSend -n 20 -timeout 10ms
//
// -rpc BlockedSend|LostCancel: n unary calls, each with a client deadline of
// -timeout. -rpc Ticks: n server streams, each cancelled after -ticks messages.
// -rpc Hello: n plain calls. Calls run -concurrency at a time.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
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
	c := leakv1.NewLeakServiceClient(conn)

	var call func(i int) error
	switch *rpc {
	case "Hello":
		call = func(i int) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := c.Hello(ctx, &leakv1.HelloRequest{Name: fmt.Sprint("drive-", i)})
			return err
		}
	case "BlockedSend", "LostCancel":
		m := c.BlockedSend
		if *rpc == "LostCancel" {
			m = c.LostCancel
		}
		call = func(i int) error {
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			defer cancel()
			_, err := m(ctx, &leakv1.WorkRequest{Id: fmt.Sprint(i), WorkMs: int32(*workMs)})
			if status.Code(err) == codes.DeadlineExceeded {
				return nil // the point: the handler's early-return path ran
			}
			if err == nil {
				return fmt.Errorf("finished before the %v deadline: no early return", *timeout)
			}
			return err
		}
	case "Ticks":
		call = func(i int) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stream, err := c.Ticks(ctx, &leakv1.StreamRequest{Id: fmt.Sprint(i)})
			if err != nil {
				return err
			}
			for k := 0; k < *ticks; k++ {
				if _, err := stream.Recv(); err != nil {
					return err
				}
			}
			cancel() // RST_STREAM
			return nil
		}
	default:
		fmt.Fprintf(os.Stderr, "grpc-leaky-drive: unknown -rpc %q\n", *rpc)
		os.Exit(2)
	}

	var failed atomic.Int64
	sem := make(chan struct{}, max(*concurrency, 1))
	var wg sync.WaitGroup
	for i := 0; i < *n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := call(i); err != nil {
				failed.Add(1)
				fmt.Fprintf(os.Stderr, "call %d: %v\n", i, err)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%s: %d calls, %d failed\n", *rpc, *n, failed.Load())
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
