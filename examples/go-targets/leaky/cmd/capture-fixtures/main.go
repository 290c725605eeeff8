// Command capture-fixtures captures the goroutine (and heap) profiles of the leaky target
// that tests/fixtures holds (see tests/fixtures/README.md):
//
//	go run ./cmd/capture-fixtures -bin PATH/TO/leaky -goroutines DIR [-heap DIR] [-n 20]
//
// It starts the binary in leaky mode on a free loopback port and saves
// goroutine?debug=2 / ?debug=1 as baseline.debug{2,1}.txt (and, with -heap,
// heap?gc=1&debug=1 as baseline.debug1.txt); then it drives classes 1 (each request
// cancelled after 20 ms), 2, 5, 6 (fail=1) and 7 with n requests each, waits 1 s and saves
// the same profiles as leaky.*. It exits 3 if the leaky dump does not hold exactly n
// blocked senders (main.blockedSend.func1 in chan send), so a capture where some
// cancellation missed its window is not kept by accident.
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

var probe = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

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
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("  %s/%s: %d bytes\n", dir, name, len(b))
}

func drive(base, path string, n int, cancel time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
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
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}

func main() {
	bin := flag.String("bin", "", "leaky binary")
	gdir := flag.String("goroutines", "", "output dir for the goroutine dumps")
	hdir := flag.String("heap", "", "output dir for heap profiles (optional)")
	n := flag.Int("n", 20, "requests per class")
	flag.Parse()
	if *bin == "" || *gdir == "" {
		fmt.Fprintln(os.Stderr, "usage: capture-fixtures -bin PATH/TO/leaky -goroutines DIR [-heap DIR] [-n 20]")
		os.Exit(2)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(*bin, "-addr", addr, "-mode", "leaky")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
		cmd.Wait()                          //nolint:errcheck
	}
	defer stop()
	base := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := probe.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			panic("not ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if *hdir != "" {
		save(*hdir, "baseline.debug1.txt", get(base+"/debug/pprof/heap?gc=1&debug=1"))
	}
	save(*gdir, "baseline.debug2.txt", get(base+"/debug/pprof/goroutine?debug=2"))
	save(*gdir, "baseline.debug1.txt", get(base+"/debug/pprof/goroutine?debug=1"))

	drive(base, "/leak/blocked-send", *n, 20*time.Millisecond)
	drive(base, "/leak/no-ctx-done", *n, 0)
	drive(base, "/leak/range-unclosed", *n, 0)
	drive(base, "/leak/waitgroup?fail=1", *n, 0)
	drive(base, "/leak/unclosed-body", *n, 0)
	time.Sleep(time.Second)

	d2 := get(base + "/debug/pprof/goroutine?debug=2")
	save(*gdir, "leaky.debug2.txt", d2)
	save(*gdir, "leaky.debug1.txt", get(base+"/debug/pprof/goroutine?debug=1"))
	if *hdir != "" {
		save(*hdir, "leaky.debug1.txt", get(base+"/debug/pprof/heap?gc=1&debug=1"))
	}
	blocked := 0
	for _, blk := range strings.Split(string(d2), "\n\n") {
		if strings.Contains(blk, "[chan send") && strings.Contains(blk, "\nmain.blockedSend.func1(") {
			blocked++
		}
	}
	fmt.Printf("  blocked senders in leaky.debug2.txt: %d\n", blocked)
	if blocked != *n {
		stop()
		os.Exit(3)
	}
}
