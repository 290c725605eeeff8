package main

import (
	"bytes"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

// labelledGoroutines counts, in the debug=1 goroutine profile, the goroutines with a frame
// of fn (as the binary names it) whose group carries exactly the labels want
// (`{"method":"/leakgate.example.v1.LeakService/Ticks"}`).
func labelledGoroutines(t *testing.T, fn, want string) int {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		t.Fatal(err)
	}
	fn = testPkgPrefix + strings.TrimPrefix(fn, "main.")
	n := 0
	for _, group := range strings.Split(buf.String(), "\n\n") {
		if strings.HasPrefix(group, "goroutine profile:") { // the first group follows the total line
			group = group[strings.IndexByte(group, '\n')+1:]
		}
		if !strings.Contains(group, "\t"+fn+"+") || !strings.Contains(group, "\n# labels: "+want+"\n") {
			continue
		}
		count, err := strconv.Atoi(group[:strings.IndexByte(group, ' ')])
		if err != nil {
			t.Fatalf("group without a count: %q", group)
		}
		n += count
	}
	return n
}

// TestLeakedGoroutinesCarryTheMethodLabel: the interceptors (labels.go) run every handler
// under pprof label method=<full method>, and the goroutines a handler leaks inherit it.
func TestLeakedGoroutinesCarryTheMethodLabel(t *testing.T) {
	for _, lc := range leakCases {
		if lc.name == "LostCancel" {
			continue // its goroutines end after work_ms; the other two leak for good
		}
		t.Run(lc.name, func(t *testing.T) {
			ts := startServer(t, modeLeaky)
			want := `{"method":"/leakgate.example.v1.LeakService/` + lc.name + `"}`
			before := labelledGoroutines(t, lc.leaker, want)
			lc.drive(t, ts)
			var got int
			for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				got = labelledGoroutines(t, lc.leaker, want) - before
				if got >= minLeak || time.Now().After(deadline) {
					break
				}
			}
			if got < minLeak {
				t.Fatalf("%d new goroutines of %s labelled %s, want ≥ %d", got, lc.leaker, want, minLeak)
			}
		})
	}
}
