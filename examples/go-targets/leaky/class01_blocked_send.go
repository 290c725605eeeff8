package main

import (
	"net/http"
	"time"
)

// Class 1 — blocked send.
//
// GET /leak/blocked-send?work=MS&timeout=MS   (defaults: work=30, timeout=100)
//
// The handler hands the work to a goroutine and waits for its result, its own timeout, or
// the client going away, whichever comes first:
//
//	go func() { ch <- slowWork(work) }()
//	select { case v := <-ch: ...; case <-r.Context().Done(): return; case <-timer.C: return }
//
// Leaky: ch is unbuffered. When the handler has already returned (client cancelled, or
// timeout < work), nobody will ever receive: the goroutine main.blockedSend.func1 blocks
// forever in `chan send`, holding whatever it computed.
//
// Fixed: ch has a buffer of one, so the send always completes and the goroutine exits
// whether or not anyone is still listening.
//
// With work < timeout and no client cancellation, neither variant leaks: the leak needs
// the early return, which the harness triggers by cancelling requests after ~20 ms.
func blockedSend(s *service, w http.ResponseWriter, r *http.Request) {
	work := msParam(r, "work", 30*time.Millisecond)
	timeout := msParam(r, "timeout", 100*time.Millisecond)

	var ch chan string
	if s.fixed {
		ch = make(chan string, 1) // the fix: the sender never waits for a receiver
	} else {
		ch = make(chan string) // the leak: a sender with nobody left to receive blocks forever
	}
	// This closure must stay the first function literal in blockedSend: it is
	// main.blockedSend.func1 in every stack dump, and the tests look for that name.
	go func() {
		ch <- slowWork(work)
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		textReply(w, http.StatusOK, "%s\n", v)
	case <-r.Context().Done():
		return // the client went away: nobody reads ch any more
	case <-timer.C:
		textReply(w, http.StatusGatewayTimeout, "work took longer than %v\n", timeout)
	}
}

// slowWork stands for the real work (a query, a computation): it takes d.
func slowWork(d time.Duration) string {
	time.Sleep(d)
	return "done"
}
