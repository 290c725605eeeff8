// Package drive makes a running grpc-leaky leak on purpose: it calls the leaking RPCs with
// the client-side cancellation each leak class needs. Used by cmd/grpc-leaky-drive (by
// hand) and cmd/capture-fixtures (tests/fixtures/capture.sh).
package drive

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
)

// Options shape the calls.
type Options struct {
	Timeout time.Duration // client deadline of BlockedSend and LostCancel (e.g. 10 ms)
	WorkMs  int32         // work_ms to send (0: the server's default)
	Ticks   int           // Ticks: messages to read before cancelling the stream
}

// Call returns the function that makes call number i of rpc (Hello, BlockedSend,
// LostCancel or Ticks); it returns nil when the call took the path the leak needs.
func Call(c leakv1.LeakServiceClient, rpc string, o Options) (func(i int) error, error) {
	switch rpc {
	case "Hello":
		return func(i int) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := c.Hello(ctx, &leakv1.HelloRequest{Name: fmt.Sprint("drive-", i)})
			return err
		}, nil
	case "BlockedSend", "LostCancel":
		m := c.BlockedSend
		if rpc == "LostCancel" {
			m = c.LostCancel
		}
		return func(i int) error {
			ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
			defer cancel()
			_, err := m(ctx, &leakv1.WorkRequest{Id: fmt.Sprint(i), WorkMs: o.WorkMs})
			if status.Code(err) == codes.DeadlineExceeded {
				return nil // the point: the handler's early-return path ran
			}
			if err == nil {
				return fmt.Errorf("finished before the %v deadline: no early return", o.Timeout)
			}
			return err
		}, nil
	case "Ticks":
		return func(i int) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stream, err := c.Ticks(ctx, &leakv1.StreamRequest{Id: fmt.Sprint(i)})
			if err != nil {
				return err
			}
			for k := 0; k < o.Ticks; k++ {
				if _, err := stream.Recv(); err != nil {
					return err
				}
			}
			cancel() // RST_STREAM
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unknown rpc %q: want Hello, BlockedSend, LostCancel or Ticks", rpc)
}

// Run makes calls 0..n-1, concurrency at a time, and returns the errors of those that
// failed, by call number.
func Run(n, concurrency int, call func(i int) error) map[int]error {
	failed := map[int]error{}
	var mu sync.Mutex
	sem := make(chan struct{}, max(concurrency, 1))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := call(i); err != nil {
				mu.Lock()
				failed[i] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failed
}
