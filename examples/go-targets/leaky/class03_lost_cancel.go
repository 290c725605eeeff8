package main

import (
	"context"
	"net/http"
	"time"
)

// Class 3 — lost cancellation.
//
// GET /leak/lost-cancel?delay=MS   (default delay=60000)
//
// The handler calls a slow dependency, main.slowDependency (in-process: it takes `delay`
// and honours the context it is given), from a goroutine main.lostCancel.func1, and waits
// for its answer or for the client to go away.
//
// Leaky: the call gets context.Background() instead of the request's context, so when the
// client cancels, the handler returns but the dependency call carries on for the full
// delay: goroutines pile up in `select` under main.slowDependency, one per cancelled
// request, and only end `delay` later (60 s by default, well past a settle window).
//
// Fixed: the call gets r.Context(); a cancelled request cancels the dependency call, which
// returns at once, and the goroutine exits.
//
// Trigger: the client cancels after a few ms (without it, a request simply takes `delay`).
func lostCancel(s *service, w http.ResponseWriter, r *http.Request) {
	delay := msParam(r, "delay", 60*time.Second)
	ctx := context.Background() // the leak: the request's cancellation is lost here
	if s.fixed {
		ctx = r.Context() // the fix
	}
	done := make(chan error, 1)
	go func() {
		done <- slowDependency(ctx, delay)
	}()
	select {
	case err := <-done:
		if err != nil {
			textReply(w, http.StatusGatewayTimeout, "dependency: %v\n", err)
			return
		}
		textReply(w, http.StatusOK, "dependency answered after %v\n", delay)
	case <-r.Context().Done():
		return
	}
}

// slowDependency plays a dependency that takes d to answer; it gives up when ctx ends.
func slowDependency(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
