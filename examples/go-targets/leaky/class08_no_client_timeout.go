package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Class 8 — no client timeout.
//
// GET /leak/no-client-timeout?max=MS   (default max=600000: how long the dependency hangs)
//
// The handler calls the dependency's /hang endpoint (GET {dep}/hang?max=MS; the in-process
// one plays a blackholed upstream: it answers only when its client goes away, or after
// `max`). With -dep the same call goes to that URL, e.g. through leakgate's chaos proxy.
//
// Leaky: the call is made with a bare http.Client{} (no Timeout) and a request built on
// context.Background(). Nothing ever gives up: the handler goroutine (top user frame
// main.noClientTimeout, under net/http.(*persistConn).roundTrip, `select`) waits for up
// to 10 minutes even after the client went away, together with the connection's readLoop
// (`IO wait`) and writeLoop (`select`) goroutines and, on the dependency side,
// main.dependencyHang (`select`) and its connection's background read (`IO wait`) — five
// goroutines and three fds per request (both ends of the dependency connection, and the
// inbound connection, which the server keeps open while its handler runs).
//
// Fixed: http.Client{Timeout: 200ms} and a request built on r.Context(): the call fails
// after 200 ms (or when the client cancels), the Transport closes the connection, the
// dependency sees it and returns; the handler answers 504.
//
// Trigger: plain load against a hanging dependency (here: always); leakgate's chaos proxy
// does the same to a real dependency by blackholing it.
func noClientTimeout(s *service, w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Transport: s.up.hangTransport} // the leak: no Timeout
	ctx := context.Background()                           // ... and no cancellation
	if s.fixed {
		client = &http.Client{Transport: s.up.hangTransport, Timeout: 200 * time.Millisecond}
		ctx = r.Context()
	}
	hang := msParam(r, "max", 10*time.Minute)
	url := s.up.base + "/hang?max=" + strconv.FormatInt(int64(hang/time.Millisecond), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		textReply(w, http.StatusInternalServerError, "%v\n", err)
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		textReply(w, http.StatusGatewayTimeout, "dependency: %v\n", err)
		return
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) //nolint:errcheck
	textReply(w, http.StatusOK, "dependency %s\n", resp.Status)
}
