package main

import (
	"context"
	"net/http"
	"time"
)

// Class 4 — timer/ticker not stopped.
//
// GET /leak/ticker?every=MS   (default every=1000: the heartbeat period)
//
// Per request the handler (a) starts a heartbeat goroutine, main.tickerWorker, that ticks
// on a time.NewTicker, and (b) arms an "audit" time.AfterFunc(1h) whose closure,
// main.tickerNotStopped.func1, captures a 64 KiB buffer built from the request.
//
// Leaky: the heartbeat loop `for { select { case <-t.C: ...; case <-s.shutdown: return } }`
// never returns when the request ends and never calls t.Stop: one goroutine per request
// stays in `select`, its ticker still firing. The AfterFunc timer is never stopped, so the
// runtime's timer heap keeps the closure — and its 64 KiB — alive for an hour.
//
// Fixed: the heartbeat also returns on <-ctx.Done() (ctx = r.Context()) and defers
// t.Stop(); the handler stops the audit timer when it returns, releasing the buffer.
//
// Trigger: plain load. Shows as goroutines (+1 per request) and heap (+64 KiB per request).
func tickerNotStopped(s *service, w http.ResponseWriter, r *http.Request) {
	every := msParam(r, "every", time.Second)
	if every < time.Millisecond {
		every = time.Millisecond
	}
	buf := make([]byte, 64<<10)
	copy(buf, r.URL.String())
	// The first function literal here: main.tickerNotStopped.func1.
	audit := time.AfterFunc(time.Hour, func() {
		s.auditBytes.add(int64(len(buf)))
	})
	if s.fixed {
		defer audit.Stop() // the fix: the timer, its closure and buf are released
	}
	go tickerWorker(r.Context(), s, every)
	textReply(w, http.StatusOK, "heartbeat every %v\n", every)
}

// tickerWorker sends a heartbeat every period (leaky: until the process ends; fixed:
// until the request ends).
func tickerWorker(ctx context.Context, s *service, every time.Duration) {
	t := time.NewTicker(every)
	if s.fixed {
		defer t.Stop() // the fix, part 1
		for {
			select {
			case <-t.C:
				s.tickerBeats.add(1)
			case <-ctx.Done(): // the fix, part 2
				return
			case <-s.shutdown:
				return
			}
		}
	}
	for {
		select {
		case <-t.C:
			s.tickerBeats.add(1)
		case <-s.shutdown:
			return // (and even here t.Stop is never called)
		}
	}
}
