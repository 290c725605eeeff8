package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// leakCase is one leak class: how to trigger it, what must grow in leaky mode and come
// back (or stop growing) in fixed mode, and how the leaked goroutines look in a dump.
type leakCase struct {
	class  int
	path   string
	n      int                // requests per cycle
	cancel time.Duration      // the client cancels each request after this (0: never)
	pathOf func(i int) string // per-request path (nil: path)
	grow   map[string]int     // leaky: resource → minimum growth after n requests
	flat   []string           // resources that must stay at baseline in both modes
	fn     string             // a function every leaked goroutine has in its stack, as the binary names it
	depFn  string             // fn when the service calls a dependency given by -dep ("": fn)
	viaDep bool               // the class calls the dependency: TestLeakClassesWithDep runs it with -dep too
	fnMin  int                // leaky: minimum number of new goroutines with fn (0: 80 % of n)
	states []string           // its accepted goroutine states
	heap   func(t *testing.T, url string, c leakCase, leaky bool)
}

const (
	resGoroutines = "goroutines"
	resFds        = "fds"
)

var leakCases = []leakCase{
	{class: 1, path: "/leak/blocked-send?work=100&timeout=1000", n: 50, cancel: 20 * time.Millisecond,
		grow: map[string]int{resGoroutines: 45}, fn: "main.blockedSend.func1", states: []string{"chan send"}},
	{class: 2, path: "/leak/no-ctx-done", n: 50,
		grow: map[string]int{resGoroutines: 45}, fn: "main.noCtxDoneWorker", states: []string{"select"}},
	{class: 3, path: "/leak/lost-cancel", n: 50, cancel: 20 * time.Millisecond,
		grow: map[string]int{resGoroutines: 45}, fn: "main.slowDependency", states: []string{"select"},
		depFn: "main.lostCancel.func2", viaDep: true},
	{class: 4, path: "/leak/ticker", n: 50,
		grow: map[string]int{resGoroutines: 45}, fn: "main.tickerWorker", states: []string{"select"}},
	{class: 5, path: "/leak/range-unclosed", n: 50,
		grow: map[string]int{resGoroutines: 45}, fn: "main.rangeUnclosedWorker", states: []string{"chan receive"}},
	{class: 6, path: "/leak/waitgroup?fail=1", n: 50,
		grow: map[string]int{resGoroutines: 45}, fn: "main.waitGroupMisuse.func1",
		states: []string{"semacquire", "sync.WaitGroup.Wait"}},
	{class: 7, path: "/leak/unclosed-body", n: 50,
		grow: map[string]int{resGoroutines: 3 * 45, resFds: 2 * 45}, fn: "net/http.(*persistConn).readLoop",
		states: []string{"select"}, viaDep: true},
	{class: 8, path: "/leak/no-client-timeout", n: 50, cancel: 300 * time.Millisecond,
		grow: map[string]int{resGoroutines: 4 * 45, resFds: 2 * 45}, fn: "main.noClientTimeout",
		states: []string{"select"}, viaDep: true},
	{class: 9, path: "/leak/unclosed-file", n: 50,
		grow: map[string]int{resFds: 45}, flat: []string{resGoroutines}},
	{class: 10, path: "/leak/cache", n: 400, flat: []string{resGoroutines}, heap: checkHeapCycles},
	{class: 11, path: "/leak/pool", n: 50,
		pathOf: func(i int) string {
			switch i {
			case 0, 2:
				return "/leak/pool?panic=1"
			case 1, 3:
				return "/leak/pool?hang=1"
			}
			return "/leak/pool"
		},
		grow: map[string]int{resGoroutines: 30}, fn: "main.poolSubmit.func1", fnMin: 30, states: []string{"chan send"}},
	{class: 13, path: "/leak/finalizer", n: 200, flat: []string{resGoroutines}, heap: checkHeapCycles},
}

func TestLeakClasses(t *testing.T) {
	for _, c := range leakCases {
		c := c
		for _, m := range []mode{modeLeaky, modeFixed} {
			m := m
			t.Run(fmt.Sprintf("class%02d/%s", c.class, m), func(t *testing.T) { runLeakCase(t, c, m, false) })
		}
	}
}

// TestLeakClassesWithDep runs the classes that call a dependency (3, 7, 8) with -dep: the
// calls go over real HTTP to a dependency server outside the service (here one more
// in-process dependency, as leakgate's proxy would forward to), and the leaked stacks
// still name the class's function.
func TestLeakClassesWithDep(t *testing.T) {
	for _, c := range leakCases {
		if !c.viaDep {
			continue
		}
		c := c
		if c.depFn != "" {
			c.fn = c.depFn
		}
		for _, m := range []mode{modeLeaky, modeFixed} {
			m := m
			t.Run(fmt.Sprintf("class%02d/%s", c.class, m), func(t *testing.T) { runLeakCase(t, c, m, true) })
		}
	}
}

// runLeakCase serves mode m and drives case c against it; with remoteDep the service is
// given -dep pointing at a dependency server of its own.
func runLeakCase(t *testing.T, c leakCase, m mode, remoteDep bool) {
	cfg := config{mode: m}
	var remote *dependency
	if remoteDep {
		var err error
		if remote, err = startDependency("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		cfg.depURL = remote.url
	}
	url := serve(t, cfg)
	if remote != nil {
		t.Cleanup(remote.close) // runs first: unblocks handlers stuck on the dependency (class 8)
	}
	leaky := m == modeLeaky

	if c.heap != nil {
		c.heap(t, url, c, leaky)
		return
	}

	waitStable(t)
	base := map[string]int{resGoroutines: runtime.NumGoroutine(), resFds: fdCount()}
	fnBase := 0
	if c.fn != "" {
		fnBase = countGoroutines(c.fn, nil) // earlier cases may have left some (class 7's readLoop)
	}
	drive(t, url, c, c.n)

	for res, want := range c.grow {
		if res == resFds && base[resFds] < 0 {
			continue
		}
		if leaky {
			res, want := res, want
			grown := pollUntil(5*time.Second, func() bool { return measure(t, res)-base[res] >= want })
			if !grown {
				t.Errorf("leaky: %s %d → %d, want growth ≥ %d", res, base[res], measure(t, res), want)
			}
		} else {
			expectBaseline(t, res, base[res])
		}
	}
	for _, res := range c.flat {
		if res == resFds && base[resFds] < 0 {
			continue
		}
		expectBaseline(t, res, base[res])
	}
	if leaky && c.fn != "" {
		// The dump names the culprit, in the documented state (see ../README.md).
		want := c.fnMin
		if want == 0 {
			want = c.n * 8 / 10
		}
		pollUntil(5*time.Second, func() bool { return countGoroutines(c.fn, c.states)-fnBase >= want })
		if got := countGoroutines(c.fn, c.states) - fnBase; got < want {
			t.Errorf("leaky: %d new goroutines with %s in state %v, want ≥ %d\n%s", got, c.fn, c.states, want, someStacks(c.fn))
		}
	}
	if !leaky && c.fn != "" {
		pollUntil(5*time.Second, func() bool { return countGoroutines(c.fn, nil) <= fnBase })
		if got := countGoroutines(c.fn, nil); got > fnBase {
			t.Errorf("fixed: %d goroutines still in %s (%d before)\n%s", got, c.fn, fnBase, someStacks(c.fn))
		}
	}
}

// TestClass14ClosedByGC: in leaky mode the fds (one file, two sockets per request) and
// the dependency's connection goroutines grow under load and drop at a forced
// runtime.GC(), when the finalizers of the dropped *os.File and net.Conn close them; in
// fixed mode nothing grows. Automatic collections are off while the load runs, so that the
// only collection is the forced one (between collections is where production piles fds
// up).
func TestClass14ClosedByGC(t *testing.T) {
	if fdCount() < 0 {
		t.Skip("no /proc/self/fd")
	}
	const n = 50
	c := leakCase{class: 14, path: "/leak/closed-by-gc", n: n}
	for _, m := range []mode{modeLeaky, modeFixed} {
		m := m
		t.Run(m.String(), func(t *testing.T) {
			url := serve(t, config{mode: m})
			runtime.GC() // whatever earlier tests dropped is closed before the baseline
			waitStable(t)
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			base := map[string]int{resFds: fdCount(), resGoroutines: runtime.NumGoroutine()}
			drive(t, url, c, n)
			grown := map[string]int{resFds: fdCount() - base[resFds], resGoroutines: runtime.NumGoroutine() - base[resGoroutines]}
			t.Logf("%s: under load (no GC yet): fds %+d, goroutines %+d", m, grown[resFds], grown[resGoroutines])
			if m == modeFixed {
				expectBaseline(t, resFds, base[resFds])
				expectBaseline(t, resGoroutines, base[resGoroutines])
				return
			}
			if grown[resFds] < 3*(n-5) {
				t.Errorf("leaky: fds grew by %d under load, want ≥ %d (a file and two sockets per request)", grown[resFds], 3*(n-5))
			}
			if grown[resGoroutines] < n-5 {
				t.Errorf("leaky: goroutines grew by %d under load, want ≥ %d (the dependency's connections)", grown[resGoroutines], n-5)
			}
			// Still there a while later: only a collection closes them.
			time.Sleep(200 * time.Millisecond)
			if got := fdCount() - base[resFds]; got < 3*(n-5) {
				t.Errorf("leaky: fds %+d 200 ms after the load without a GC, want ≥ %d", got, 3*(n-5))
			}
			runtime.GC() // queues the finalizers; they run on the finalizer goroutine
			expectBaseline(t, resFds, base[resFds])
			expectBaseline(t, resGoroutines, base[resGoroutines])
		})
	}
}

// serve starts a service with cfg behind an httptest server and returns its URL. The
// test's cleanup closes the service first (that unblocks handlers stuck on its
// dependency), then the server.
func serve(t *testing.T, cfg config) string {
	t.Helper()
	s, err := newService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.routes())
	t.Cleanup(func() {
		s.close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// checkHeapCycles drives two cycles of c.n requests and compares the heap growth of the
// second: an unbounded leak keeps growing, the fixed twin stops (bounded cache) or frees
// everything (finalizer outside the cycle).
func checkHeapCycles(t *testing.T, url string, c leakCase, leaky bool) {
	waitStable(t)
	g0 := runtime.NumGoroutine()
	drive(t, url, c, c.n)
	mid := heapAfterGC()
	drive(t, url, c, c.n)
	end := heapAfterGC()
	growth := int64(end) - int64(mid)
	perRequest := int64(4 << 10) // class 10: a 4 KiB value per key
	if c.class == 13 {
		perRequest = 16 << 10 // class 13: a 16 KiB payload per request
	}
	expected := int64(c.n) * perRequest
	t.Logf("heap: second cycle of %d requests: %+d KiB (leaky would add ~%d KiB)", c.n, growth>>10, expected>>10)
	if leaky && growth < expected*6/10 {
		t.Errorf("leaky: heap grew by %d bytes in the second cycle, want ≥ %d", growth, expected*6/10)
	}
	if !leaky && growth > expected/4 {
		t.Errorf("fixed: heap grew by %d bytes in the second cycle, want ≤ %d", growth, expected/4)
	}
	expectBaseline(t, resGoroutines, g0)
}

func heapAfterGC() uint64 {
	// Twice with a pause: the first GC queues finalizers, the second frees what they released.
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// drive sends n requests, 8 at a time, over keep-alive connections, cancelling each one
// after c.cancel when set. Responses are read and closed; the client's idle connections are
// closed at the end, so the client leaves nothing behind.
func drive(t *testing.T, base string, c leakCase, n int) {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]int{}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				path := c.path
				if c.pathOf != nil {
					path = c.pathOf(i)
				}
				st := doRequest(client, base+path, c.cancel)
				mu.Lock()
				statuses[st]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Logf("drove %d × %s: %v", n, c.path, statuses)
}

func doRequest(client *http.Client, url string, cancel time.Duration) string {
	ctx := context.Background()
	if cancel > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, cancel)
		defer stop()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "cancelled"
		}
		return "error"
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck
	resp.Body.Close()
	return resp.Status
}

func measure(t *testing.T, res string) int {
	if res == resFds {
		return fdCount()
	}
	return runtime.NumGoroutine()
}

// expectBaseline polls until res is back within a small tolerance of base.
func expectBaseline(t *testing.T, res string, base int) {
	t.Helper()
	tolerance := 3
	if !pollUntil(5*time.Second, func() bool { return measure(t, res) <= base+tolerance }) {
		t.Errorf("%s did not return to baseline: %d → %d (tolerance %d)", res, base, measure(t, res), tolerance)
	}
}

func pollUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStable waits (up to 2 s) until the goroutine count has not changed for 100 ms, so
// that goroutines still exiting from an earlier case do not skew the baseline.
func waitStable(t *testing.T) {
	t.Helper()
	last, since := runtime.NumGoroutine(), time.Now()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if n := runtime.NumGoroutine(); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= 100*time.Millisecond {
			return
		}
	}
}

// fdCount is the number of open fds of this process, or -1 where /proc is missing.
func fdCount() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// goroutineStacks is runtime.Stack for all goroutines (the debug=2 format), split into
// one block per goroutine.
func goroutineStacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(string(buf[:n]), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// stackState is "chan send" for a block starting "goroutine 7 [chan send, 2 minutes]:".
func stackState(block string) string {
	i := strings.IndexByte(block, '[')
	j := strings.IndexByte(block, ']')
	if i < 0 || j < i {
		return ""
	}
	st := block[i+1 : j]
	if k := strings.IndexByte(st, ','); k >= 0 {
		st = st[:k]
	}
	return st
}

// symbol turns a function name as the binary prints it ("main.blockedSend.func1") into
// the name it has in the test binary, where package main is imported by its path
// ("leakgate.dev/examples/go-targets/leaky.blockedSend.func1").
func symbol(fn string) string {
	if !strings.HasPrefix(fn, "main.") {
		return fn
	}
	self := runtime.FuncForPC(reflect.ValueOf(blockedSend).Pointer()).Name()
	return strings.TrimSuffix(self, "blockedSend") + strings.TrimPrefix(fn, "main.")
}

func countGoroutines(fn string, states []string) int {
	fn = symbol(fn)
	n := 0
	for _, b := range goroutineStacks() {
		if !strings.Contains(b, "\n"+fn+"(") {
			continue
		}
		if len(states) == 0 {
			n++
			continue
		}
		for _, st := range states {
			if stackState(b) == st {
				n++
				break
			}
		}
	}
	return n
}

func someStacks(fn string) string {
	fn = symbol(fn)
	var out bytes.Buffer
	k := 0
	for _, b := range goroutineStacks() {
		if strings.Contains(b, fn) && k < 3 {
			out.WriteString(b + "\n\n")
			k++
		}
	}
	return out.String()
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"leaky", "fixed"} {
		m, err := parseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("parseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := parseMode("nonsense"); err == nil {
		t.Error("parseMode(nonsense) accepted")
	}
	if code := run([]string{"-mode", "nonsense"}); code != 2 {
		t.Errorf("run -mode nonsense: exit %d, want 2", code)
	}
}

func TestParseDepURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"http://127.0.0.1:9000":  "http://127.0.0.1:9000",
		"http://127.0.0.1:9000/": "http://127.0.0.1:9000",
		"http://[::1]:9000":      "http://[::1]:9000",
	} {
		if got, err := parseDepURL(in); err != nil || got != want {
			t.Errorf("parseDepURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"127.0.0.1:9000", "https://127.0.0.1:9000", "http://", "http://h:1/?x=1", "::"} {
		if _, err := parseDepURL(in); err == nil {
			t.Errorf("parseDepURL(%q) accepted", in)
		}
	}
	if code := run([]string{"-dep", "127.0.0.1:9000"}); code != 2 {
		t.Errorf("run -dep 127.0.0.1:9000: exit %d, want 2", code)
	}
}

func TestBasicEndpoints(t *testing.T) {
	s, err := newService(config{mode: modeFixed})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	srv := httptest.NewServer(s.routes())
	defer srv.Close()
	defer http.DefaultClient.CloseIdleConnections()
	for path, want := range map[string]string{
		"/healthz":            "ok",
		"/hello":              "hello\n",
		"/debug/pprof/":       "goroutine",
		"/debug/vars":         "memstats",
		"/leak/blocked-send":  "done\n",
		"/leak/waitgroup":     "3 parts done\n",
		"/leak/unclosed-body": "dependency 200 OK",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %q, want 200 containing %q", path, resp.StatusCode, body, want)
		}
	}
	resp, err := http.Get(srv.URL + "/no-such-path")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /no-such-path: %d, want 404", resp.StatusCode)
	}
}
