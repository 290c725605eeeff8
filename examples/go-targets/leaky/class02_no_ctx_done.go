package main

import (
	"context"
	"net/http"
)

// Class 2 — no ctx.Done().
//
// GET /leak/no-ctx-done?n=N   (default n=7)
//
// The handler starts a per-request worker, main.noCtxDoneWorker, feeds it one job through
// a channel, waits for the result and returns. The worker is a loop:
//
//	for { select { case j := <-jobs: results <- work(j); case <-s.shutdown: return } }
//
// Leaky: the loop watches the jobs channel and the service-wide shutdown channel, but not
// the request's context. When the request ends no more jobs come, so every request
// leaves one worker parked in `select` for the life of the process.
//
// Fixed: the select also has `case <-ctx.Done(): return` with ctx = r.Context(), which
// net/http cancels as soon as the handler returns.
//
// Trigger: plain load (every request leaks one worker).
func noCtxDone(s *service, w http.ResponseWriter, r *http.Request) {
	n := intParam(r, "n", 7, 0, 1<<20)
	jobs := make(chan int)
	results := make(chan int, 1)
	go noCtxDoneWorker(r.Context(), s, jobs, results)

	jobs <- n
	select {
	case v := <-results:
		textReply(w, http.StatusOK, "%d\n", v)
	case <-r.Context().Done():
	}
}

// noCtxDoneWorker serves jobs until ... (leaky: the process ends; fixed: the request ends).
func noCtxDoneWorker(ctx context.Context, s *service, jobs <-chan int, results chan<- int) {
	if s.fixed {
		for {
			select {
			case j := <-jobs:
				results <- j * j
			case <-ctx.Done(): // the fix
				return
			case <-s.shutdown:
				return
			}
		}
	}
	for {
		select {
		case j := <-jobs:
			results <- j * j
		case <-s.shutdown: // watched; the request's end is not
			return
		}
	}
}
