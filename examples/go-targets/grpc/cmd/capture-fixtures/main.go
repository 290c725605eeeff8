// Command capture-fixtures captures the gRPC target's goroutine dump that tests/fixtures
// holds (tests/fixtures/capture.sh runs it for every Go version):
//
//	capture-fixtures -bin PATH/TO/grpc-leaky -out FILE [-n 20]
//
// It starts the binary in leaky mode with its gRPC and pprof listeners on free loopback
// ports, waits for /healthz, opens n Ticks streams (each cancelled after 3 ticks) and makes
// n BlockedSend calls (10 ms deadline), waits 1 s and saves goroutine?debug=2 to FILE. It
// exits 3 unless the dump holds exactly n main.tickProducer and n
// main.(*leakServer).BlockedSend.func1 goroutines in chan send.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	leakv1 "leakgate.dev/examples/go-targets/grpc/gen/leakv1"
	"leakgate.dev/examples/go-targets/grpc/internal/drive"
)

var probe = &http.Client{Timeout: 10 * time.Second}

func main() {
	bin := flag.String("bin", "", "grpc-leaky binary")
	out := flag.String("out", "", "file for the goroutine?debug=2 dump")
	n := flag.Int("n", 20, "streams and calls per leaking RPC")
	flag.Parse()
	if *bin == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: capture-fixtures -bin PATH/TO/grpc-leaky -out FILE [-n 20]")
		os.Exit(2)
	}
	if err := capture(*bin, *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "capture-fixtures:", err)
		os.Exit(3)
	}
}

func capture(bin, out string, n int) error {
	addr, pprofAddr := freeAddr(), freeAddr()
	cmd := exec.Command(bin, "-addr", addr, "-pprof-addr", pprofAddr, "-mode", "leaky")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
		cmd.Wait()                          //nolint:errcheck
	}()
	base := "http://" + pprofAddr
	if err := waitHealthy(base); err != nil {
		return err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := leakv1.NewLeakServiceClient(conn)
	for _, rpc := range []string{"Ticks", "BlockedSend"} {
		call, err := drive.Call(client, rpc, drive.Options{Timeout: 10 * time.Millisecond, Ticks: 3})
		if err != nil {
			return err
		}
		if failed := drive.Run(n, 10, call); len(failed) > 0 {
			return fmt.Errorf("%s: %d of %d calls failed", rpc, len(failed), n)
		}
	}
	time.Sleep(time.Second)
	dump, err := get(base + "/debug/pprof/goroutine?debug=2")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, dump, 0o644); err != nil {
		return err
	}
	fmt.Printf("  %s: %d bytes\n", out, len(dump))
	for _, fn := range []string{"main.tickProducer", "main.(*leakServer).BlockedSend.func1"} {
		if got := countInChanSend(string(dump), fn); got != n {
			return fmt.Errorf("%s: %d goroutines of %s in chan send, want %d", out, got, fn, n)
		}
	}
	return nil
}

func countInChanSend(dump, fn string) int {
	got := 0
	for _, blk := range strings.Split(dump, "\n\n") {
		if strings.Contains(blk, "[chan send") && strings.Contains(blk, "\n"+fn+"(") {
			got++
		}
	}
	return got
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(base string) error {
	for i := 0; i < 250; i++ {
		if resp, err := probe.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s/healthz: not healthy after 5 s", base)
}

func get(u string) ([]byte, error) {
	resp, err := probe.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}
