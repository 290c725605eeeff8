package main

import "net/http"

// Class 5 — range over a channel nobody closes.
//
// GET /leak/range-unclosed?n=N   (default n=3)
//
// The handler starts a per-request consumer, main.rangeUnclosedWorker, that does
// `for v := range in { out <- v*v }`, sends it n values, collects n results and returns.
//
// Leaky: the handler never closes `in`, so after the last value the range loop waits for
// the next one forever: one goroutine per request in `chan receive`.
//
// Fixed: the handler closes `in` after the last send (the producer owns the channel and
// closes it), the range loop ends and the worker returns.
//
// Trigger: plain load.
func rangeUnclosed(s *service, w http.ResponseWriter, r *http.Request) {
	n := intParam(r, "n", 3, 0, 1000)
	in := make(chan int)
	out := make(chan int, n)
	go rangeUnclosedWorker(in, out)
	for i := 1; i <= n; i++ {
		in <- i
	}
	if s.fixed {
		close(in) // the fix
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-out
	}
	textReply(w, http.StatusOK, "%d\n", sum)
}

// rangeUnclosedWorker squares values until its input channel is closed.
func rangeUnclosedWorker(in <-chan int, out chan<- int) {
	for v := range in {
		out <- v * v
	}
}
