//go:build go1.25

// synctest needs the synchronous timer channels of Go 1.23+, which this `go 1.19` module
// would otherwise opt out of.
//go:debug asynctimerchan=0

package main

import (
	"bytes"
	"flag"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// -synctest-out FILE saves the dump (tests/fixtures/capture.sh).
var synctestOut = flag.String("synctest-out", "", "write the synctest bubble's goroutine dump (debug=2) to this file")

// TestSynctestBubbleDump parks goroutines inside a testing/synctest bubble in every
// durably blocking way and takes the goroutine profile (debug=2): their headers carry
// "(durable)" — as part of the wait reason ("chan receive (durable)") or appended
// ("sleep (durable)", "sync.Cond.Wait (durable)") — and ", synctest bubble N".
func TestSynctestBubbleDump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan int)     // received from, never sent on
		sendCh := make(chan int) // sent on, never received from
		cond := sync.NewCond(&sync.Mutex{})
		var wg sync.WaitGroup
		wg.Add(1)
		go bubbleReceive(ch)
		go bubbleSend(sendCh)
		go bubbleSelect(ch)
		go bubbleSleep()
		go bubbleCondWait(cond)
		go bubbleWaitGroup(&wg)
		synctest.Wait() // every goroutine of the bubble is durably blocked

		var buf bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
			t.Fatal(err)
		}
		dump := buf.String()
		for _, want := range []string{"[chan receive (durable), synctest bubble ", "[chan send (durable), synctest bubble ",
			"[select (durable), synctest bubble ", "[sleep (durable), synctest bubble ",
			"[sync.Cond.Wait (durable), synctest bubble ", "[sync.WaitGroup.Wait (durable), synctest bubble "} {
			if !strings.Contains(dump, want) {
				t.Errorf("no %q in the dump:\n%s", want, dump)
			}
		}
		if *synctestOut != "" {
			if err := os.WriteFile(*synctestOut, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// Let everything finish, or synctest.Test reports a deadlock.
		wg.Done()
		cond.L.Lock()
		cond.Broadcast()
		cond.L.Unlock()
		close(ch)
		close(sendCh)
		time.Sleep(2 * time.Hour) // fake time: wakes the sleeper
		synctest.Wait()
	})
}

//go:noinline
func bubbleReceive(ch chan int) { <-ch }

//go:noinline
func bubbleSend(ch chan int) {
	defer func() { recover() }() //nolint:errcheck // the send panics once ch is closed
	ch <- 1
}

//go:noinline
func bubbleSelect(ch chan int) {
	select {
	case <-ch:
	case <-time.After(time.Hour): // fake time: never fires before ch closes
	}
}

//go:noinline
func bubbleSleep() { time.Sleep(time.Hour) }

//go:noinline
func bubbleCondWait(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

//go:noinline
func bubbleWaitGroup(wg *sync.WaitGroup) { wg.Wait() }
