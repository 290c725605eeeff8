// Command dump-shapes prints a goroutine dump holding the shapes leakgate's dump parsers
// must read, from the Go runtime it is built with (tests/fixtures/capture.sh runs it with
// each supported Go):
//
//	dump-shapes [-debug 2|1]   the goroutine profile (runtime/pprof), debug=2 (default)
//	                           or debug=1, on stdout
//	dump-shapes -sigquit       the same goroutines, then SIGQUIT to itself: the runtime's
//	                           own traceback on stderr, exit status 2 (GOTRACEBACK=system
//	                           adds "gp=0x… m=… mp=0x…" to the headers, runtime goroutines
//	                           and frame addresses)
//
// Every goroutine below is parked before the dump is taken:
//
//	main.deep               150 frames of recursion, then chan receive: the traceback
//	                        keeps the innermost and outermost 50 ("...N frames elided...")
//	main.rlockWaiter        sync.RWMutex.RLock (a writer holds the lock)
//	main.lockWaiter         sync.RWMutex.Lock (a reader holds the lock)
//	main.mutexWaiter        sync.Mutex.Lock
//	main.condWaiter         sync.Cond.Wait
//	main.waitGroupWaiter    sync.WaitGroup.Wait
//	main.lockedWaiter       chan receive, locked to thread (runtime.LockOSThread)
//	main.quotedLabels       chan receive (nil chan), under pprof labels whose keys and
//	                        values need quoting and escaping (see quotedLabelSet)
//	main.plainLabels        select (no cases), under labels that need no quoting
//	main.grandchild         created by main.child, created by main.spawnChain: with
//	                        GODEBUG=tracebackancestors=N its block ends in
//	                        "[originating from goroutine N]:" stacks
//
// Labels appear in debug=1 ("# labels: {...}") with every Go, and in debug=2 headers with
// GODEBUG=tracebacklabels=1 (the default of a `go 1.27` module). The synctest bubble
// shapes ("(durable)", ", synctest bubble N") need a *testing.T: see synctest_test.go.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

// quotedLabelSet: keys and values with separators, quotes, backslashes, control
// characters, non-ASCII text, an invalid UTF-8 byte and an empty value.
var quotedLabelSet = []string{
	"route", "/v2/items/{id}",
	"comma", "a, b",
	"brackets", "[x]: {y}",
	"quote", `say "hi"`,
	"backslash", `C:\dir\`,
	"newline", "line1\nline2",
	"tab", "a\tb",
	"unicode", "héllo wörld",
	"invalid", "z\xffz",
	"empty", "",
	"key with space", "v",
}

var plainLabelSet = []string{"method", "GET", "route", "/v2/nil", "version", "1.2_3"}

var forever = make(chan int) // nothing ever sends on it

func main() {
	debug := flag.Int("debug", 2, "goroutine profile debug level: 2 (tracebacks) or 1 (grouped stacks)")
	sigquit := flag.Bool("sigquit", false, "send SIGQUIT to this process instead of writing the profile")
	flag.Parse()

	start()
	if err := waitParked(5 * time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "dump-shapes:", err)
		os.Exit(1)
	}
	if *sigquit {
		syscall.Kill(os.Getpid(), syscall.SIGQUIT) //nolint:errcheck
		time.Sleep(10 * time.Second)
		fmt.Fprintln(os.Stderr, "dump-shapes: no SIGQUIT traceback within 10 s")
		os.Exit(1)
	}
	if err := pprof.Lookup("goroutine").WriteTo(os.Stdout, *debug); err != nil {
		fmt.Fprintln(os.Stderr, "dump-shapes:", err)
		os.Exit(1)
	}
}

// parked lists the functions whose goroutines must be parked before the dump.
var parked = []string{"main.deep", "main.rlockWaiter", "main.lockWaiter", "main.mutexWaiter", "main.condWaiter",
	"main.waitGroupWaiter", "main.lockedWaiter", "main.quotedLabels", "main.plainLabels", "main.grandchild"}

func start() {
	go deep(150)

	var writerHeld sync.RWMutex
	writerHeld.Lock()
	go rlockWaiter(&writerHeld)
	var readerHeld sync.RWMutex
	readerHeld.RLock()
	go lockWaiter(&readerHeld)
	var mu sync.Mutex
	mu.Lock()
	go mutexWaiter(&mu)
	go condWaiter(sync.NewCond(&sync.Mutex{}))
	var wg sync.WaitGroup
	wg.Add(1)
	go waitGroupWaiter(&wg)
	go lockedWaiter()

	pprof.Do(context.Background(), pprof.Labels(quotedLabelSet...), func(context.Context) { go quotedLabels() })
	pprof.Do(context.Background(), pprof.Labels(plainLabelSet...), func(context.Context) { go plainLabels() })
	spawnChain()
}

// waitParked polls the debug=2 dump until every goroutine of `parked` is in a wait state.
func waitParked(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 2) //nolint:errcheck
		missing := ""
		for _, fn := range parked {
			if !parkedIn(buf.String(), fn) {
				missing = fn
				break
			}
		}
		if missing == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not parked after %v", missing, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func parkedIn(dump, fn string) bool {
	for _, block := range strings.Split(dump, "\n\n") {
		if strings.Contains(block, "\n"+fn+"(") {
			header := block[:strings.IndexByte(block+"\n", '\n')]
			return !strings.Contains(header, "[running") && !strings.Contains(header, "[runnable")
		}
	}
	return false
}

//go:noinline
func deep(n int) int {
	if n == 0 {
		return <-forever
	}
	return deep(n-1) + 1
}

//go:noinline
func rlockWaiter(l *sync.RWMutex) { l.RLock() }

//go:noinline
func lockWaiter(l *sync.RWMutex) { l.Lock() }

//go:noinline
func mutexWaiter(mu *sync.Mutex) { mu.Lock() }

//go:noinline
func condWaiter(c *sync.Cond) {
	c.L.Lock()
	for {
		c.Wait() // nobody signals
	}
}

//go:noinline
func waitGroupWaiter(wg *sync.WaitGroup) { wg.Wait() }

//go:noinline
func lockedWaiter() {
	runtime.LockOSThread()
	<-forever
}

//go:noinline
func quotedLabels() {
	var nilChan chan int
	<-nilChan
}

//go:noinline
func plainLabels() {
	select {}
}

//go:noinline
func spawnChain() { go child() }

//go:noinline
func child() {
	go grandchild()
	<-forever
}

//go:noinline
func grandchild() { <-forever }
