// Command capture-fixtures captures the goroutine (and heap) profiles of the leaky target
// that tests/fixtures holds (tests/fixtures/capture.sh runs it for every Go version; the
// README there lists the files):
//
//	capture-fixtures -bin PATH/TO/leaky -goroutines DIR [-heap DIR] [-n 20]
//	capture-fixtures -bin PATH/TO/leaky -profiles leakprofile -goroutines DIR \
//	    [-env GODEBUG=gctrace=1] [-stderr FILE]
//
// It starts the binary in leaky mode on a free loopback port (with the -env variables
// added to its environment; its stderr goes to -stderr as well as to ours) and then, with
// -profiles default: saves goroutine?debug=2 / ?debug=1 as baseline.debug{2,1}.txt (and,
// with -heap, heap?gc=1&debug=1 as baseline.debug1.txt); drives classes 1 (each request
// cancelled after 20 ms), 2, 5, 6 (fail=1) and 7 with n requests each, waits 1 s and saves
// the same profiles as leaky.*.
//
// With -profiles leakprofile (a target that serves /debug/pprof/goroutineleak: Go 1.26
// built with GOEXPERIMENT=goroutineleakprofile, or Go 1.27): drives the same classes and
// 2000 distinct keys of class 10 (heap for the GC trace), forces a GC, waits 1 s and saves
// goroutine?debug=2 as labels.debug2.txt, then goroutineleak?debug=1 and ?debug=2 as
// goroutineleak.debug{1,2}.txt (each fetch runs a leak-detecting GC cycle, after which the
// leaked goroutines are marked "(leaked)" in every dump).
//
// It exits 3 if a dump does not hold exactly n blocked senders (main.blockedSend.func1 in
// chan send), so a capture where some cancellation missed its window is not kept by
// accident.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

var probe = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

// envFlags collects repeated -env KEY=VALUE flags.
type envFlags []string

func (e *envFlags) String() string { return strings.Join(*e, " ") }
func (e *envFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}

func main() {
	bin := flag.String("bin", "", "leaky binary")
	gdir := flag.String("goroutines", "", "output dir for the goroutine dumps")
	hdir := flag.String("heap", "", "output dir for heap profiles (optional; -profiles default only)")
	profiles := flag.String("profiles", "default", "default: baseline and leaky dumps; leakprofile: labels and goroutineleak dumps")
	stderrFile := flag.String("stderr", "", "also write the target's stderr to this file")
	n := flag.Int("n", 20, "requests per class")
	var env envFlags
	flag.Var(&env, "env", "KEY=VALUE added to the target's environment (repeatable)")
	flag.Parse()
	if *bin == "" || *gdir == "" || (*profiles != "default" && *profiles != "leakprofile") {
		fmt.Fprintln(os.Stderr, "usage: capture-fixtures -bin PATH/TO/leaky -goroutines DIR [-heap DIR] [-profiles default|leakprofile] [-env K=V] [-stderr FILE] [-n 20]")
		os.Exit(2)
	}
	t, err := startTarget(*bin, env, *stderrFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "capture-fixtures:", err)
		os.Exit(1)
	}
	ok := false
	if *profiles == "default" {
		ok = captureDefault(t.base, *gdir, *hdir, *n)
	} else {
		ok = captureLeakProfile(t.base, *gdir, *n)
	}
	t.stop()
	if !ok {
		os.Exit(3)
	}
}

func captureDefault(base, gdir, hdir string, n int) bool {
	if hdir != "" {
		save(hdir, "baseline.debug1.txt", get(base+"/debug/pprof/heap?gc=1&debug=1"))
	}
	save(gdir, "baseline.debug2.txt", get(base+"/debug/pprof/goroutine?debug=2"))
	save(gdir, "baseline.debug1.txt", get(base+"/debug/pprof/goroutine?debug=1"))
	driveLeaks(base, n)
	time.Sleep(time.Second)
	d2 := get(base + "/debug/pprof/goroutine?debug=2")
	save(gdir, "leaky.debug2.txt", d2)
	save(gdir, "leaky.debug1.txt", get(base+"/debug/pprof/goroutine?debug=1"))
	if hdir != "" {
		save(hdir, "leaky.debug1.txt", get(base+"/debug/pprof/heap?gc=1&debug=1"))
	}
	return checkBlockedSenders("leaky.debug2.txt", d2, "", n)
}

func captureLeakProfile(base, gdir string, n int) bool {
	driveLeaks(base, n)
	drive(base, "/leak/cache", 2000, 0)
	get(base + "/debug/pprof/heap?gc=1") // a forced GC: "(forced)" in the GC trace
	time.Sleep(time.Second)
	labels := get(base + "/debug/pprof/goroutine?debug=2")
	save(gdir, "labels.debug2.txt", labels)
	save(gdir, "goroutineleak.debug1.txt", get(base+"/debug/pprof/goroutineleak?debug=1"))
	leaks := get(base + "/debug/pprof/goroutineleak?debug=2")
	save(gdir, "goroutineleak.debug2.txt", leaks)
	return checkBlockedSenders("labels.debug2.txt", labels, "", n) &&
		checkBlockedSenders("goroutineleak.debug2.txt", leaks, " (leaked)", n)
}

// driveLeaks makes the target leak n goroutines (or sets of them) in each of classes 1, 2,
// 5, 6 and 7.
func driveLeaks(base string, n int) {
	drive(base, "/leak/blocked-send", n, 20*time.Millisecond)
	drive(base, "/leak/no-ctx-done", n, 0)
	drive(base, "/leak/range-unclosed", n, 0)
	drive(base, "/leak/waitgroup?fail=1", n, 0)
	drive(base, "/leak/unclosed-body", n, 0)
}

// checkBlockedSenders is true when dump holds exactly n goroutines of
// main.blockedSend.func1 in "chan send" + mark.
func checkBlockedSenders(name string, dump []byte, mark string, n int) bool {
	blocked := 0
	for _, blk := range strings.Split(string(dump), "\n\n") {
		if strings.Contains(blk, "[chan send"+mark) && strings.Contains(blk, "\nmain.blockedSend.func1(") {
			blocked++
		}
	}
	fmt.Printf("  blocked senders (chan send%s) in %s: %d\n", mark, name, blocked)
	return blocked == n
}

type target struct {
	base   string
	cmd    *exec.Cmd
	stderr *os.File
}

func startTarget(bin string, env []string, stderrFile string) (*target, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	t := &target{base: "http://" + addr, cmd: exec.Command(bin, "-addr", addr, "-mode", "leaky")}
	t.cmd.Env = append(os.Environ(), env...)
	t.cmd.Stderr = os.Stderr
	if stderrFile != "" {
		if t.stderr, err = os.Create(stderrFile); err != nil {
			return nil, err
		}
		t.cmd.Stderr = io.MultiWriter(os.Stderr, t.stderr)
	}
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		if resp, err := probe.Get(t.base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.stop()
			return nil, fmt.Errorf("%s: not ready after 4 s", bin)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return t, nil
}

// stop sends SIGTERM, waits for the target to exit and closes the stderr copy.
func (t *target) stop() {
	t.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
	t.cmd.Wait()                          //nolint:errcheck
	if t.stderr != nil {
		t.stderr.Close()
		fmt.Printf("  %s: target stderr\n", t.stderr.Name())
	}
}

func get(u string) []byte {
	resp, err := probe.Get(u)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		panic(fmt.Sprintf("%s: %d", u, resp.StatusCode))
	}
	return b
}

func save(dir, name string, b []byte) {
	if dir == "" {
		return
	}
	os.MkdirAll(dir, 0o755) //nolint:errcheck
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("  %s/%s: %d bytes\n", dir, name, len(b))
}

// drive sends n requests for path, 4 at a time over keep-alive connections, each
// cancelled after `cancel` when it is not 0.
func drive(base, path string, n int, cancel time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx := context.Background()
			if cancel > 0 {
				var cf context.CancelFunc
				ctx, cf = context.WithTimeout(ctx, cancel)
				defer cf()
			}
			req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
			if resp, err := c.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body) //nolint:errcheck
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}
