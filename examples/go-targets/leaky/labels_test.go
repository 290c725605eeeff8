package main

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLeakedGoroutinesCarryLabels: the goroutines a handler leaks carry the handler's pprof
// labels (labels.go), in the debug=1 goroutine profile (every Go version) and, with
// GODEBUG=tracebacklabels=1 (Go 1.26+; the default of a `go 1.27` module), in the headers
// of a debug=2 dump.
func TestLeakedGoroutinesCarryLabels(t *testing.T) {
	url := serve(t, config{mode: modeLeaky})
	const n = 10
	drive(t, url, leakCase{path: "/leak/blocked-send?work=100&timeout=1000", cancel: 20 * time.Millisecond}, n)
	fn := symbol("main.blockedSend.func1")
	pollUntil(5*time.Second, func() bool { return countGoroutines("main.blockedSend.func1", []string{"chan send"}) >= n-1 })

	// debug=1: "N @ ...", then "# labels: {...}", then the frames.
	var profile bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&profile, 1); err != nil {
		t.Fatal(err)
	}
	const want = `# labels: {"method":"GET", "route":"/leak/blocked-send"}`
	labelled := 0
	for _, group := range strings.Split(profile.String(), "\n\n") {
		if strings.HasPrefix(group, "goroutine profile:") { // the first group follows the total line
			group = group[strings.IndexByte(group, '\n')+1:]
		}
		if strings.Contains(group, fn+"+") {
			if !strings.Contains(group, "\n"+want+"\n") {
				t.Errorf("debug=1 group of %s without %s:\n%s", fn, want, group)
			}
			count, _ := strconv.Atoi(group[:strings.IndexByte(group, ' ')])
			labelled += count
		}
	}
	if labelled < n-1 {
		t.Errorf("debug=1: %d goroutines of %s with labels, want ≥ %d", labelled, fn, n-1)
	}

	if goMinor() < 26 {
		t.Logf("%s has no GODEBUG=tracebacklabels: debug=2 headers carry no labels", runtime.Version())
		return
	}
	t.Setenv("GODEBUG", "tracebacklabels=1") // the runtime re-reads GODEBUG on Setenv
	headers := 0
	for _, b := range goroutineStacks() {
		if !strings.Contains(b, "\n"+fn+"(") {
			continue
		}
		header := b[:strings.IndexByte(b, '\n')]
		if !strings.Contains(header, "method") || !strings.Contains(header, `"/leak/blocked-send"`) {
			t.Errorf("debug=2 header without the handler's labels: %s", header)
		}
		headers++
	}
	if headers < n-1 {
		t.Errorf("debug=2: %d goroutines of %s, want ≥ %d", headers, fn, n-1)
	}
}

// goMinor is 26 for "go1.26.8"; 1000 for a development toolchain.
func goMinor() int {
	v := strings.TrimPrefix(runtime.Version(), "go1.")
	if end := strings.IndexAny(v, ".rc -"); end >= 0 {
		v = v[:end]
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 1000
	}
	return n
}
