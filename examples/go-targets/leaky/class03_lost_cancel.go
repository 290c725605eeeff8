package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Class 3 — lost cancellation.
//
// GET /leak/lost-cancel?delay=MS   (default delay=60000)
//
// The handler calls a slow dependency from a goroutine and waits for its answer or for
// the client to go away. Without -dep the dependency is main.slowDependency (in-process:
// it takes `delay` and honours the context it is given), called from
// main.lostCancel.func1. With -dep it is a real HTTP call, GET {dep}/slow?ms=<delay>,
// made by main.lostCancel.func2 (the in-process dependency's /slow answers after ms, or
// when its client goes away).
//
// Leaky: the call gets context.Background() instead of the request's context, so when the
// client cancels, the handler returns but the dependency call carries on for the full
// delay: goroutines pile up in `select` — under main.slowDependency, or with -dep under
// net/http.(*persistConn).roundTrip in main.lostCancel.func2 with one dependency
// connection each — one per cancelled request, and only end `delay` later (60 s by
// default, well past a settle window).
//
// Fixed: the call gets r.Context(); a cancelled request cancels the dependency call, which
// returns at once (with -dep: the Transport closes the connection), and the goroutine exits.
//
// Trigger: the client cancels after a few ms (without it, a request simply takes `delay`);
// with -dep, a dependency slowed by the chaos proxy makes any client timeout the trigger.
func lostCancel(s *service, w http.ResponseWriter, r *http.Request) {
	delay := msParam(r, "delay", 60*time.Second)
	ctx := context.Background() // the leak: the request's cancellation is lost here
	if s.fixed {
		ctx = r.Context() // the fix
	}
	done := make(chan error, 1)
	if !s.up.remote {
		go func() {
			done <- slowDependency(ctx, delay)
		}()
	} else {
		url := s.up.base + "/slow?ms=" + strconv.FormatInt(int64(delay/time.Millisecond), 10)
		go func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				done <- err
				return
			}
			resp, err := (&http.Client{Transport: s.up.slowTransport}).Do(req)
			if err != nil {
				done <- err
				return
			}
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %s", resp.Status)
			}
			done <- err
		}()
	}
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
