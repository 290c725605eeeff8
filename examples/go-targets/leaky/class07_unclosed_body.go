package main

import (
	"io"
	"net/http"
)

// Class 7 — unclosed response body.
//
// GET /leak/unclosed-body
//
// The handler calls the dependency (GET {dep}/data: the in-process one's is a 512-byte
// body; -dep names another) through a shared http.Client whose Transport keeps at most 2
// idle connections per host, reads the first 16 bytes of the body and answers.
//
// Leaky: resp.Body is neither read to EOF nor closed. The Transport cannot reuse (or
// close) a connection whose body is still open, so every request dials a new one and
// leaves it pinned: per request, the client's net/http.(*persistConn).readLoop (`select`)
// and writeLoop (`select`) goroutines, the dependency server's net/http.(*conn).serve
// (`IO wait`), and two sockets (two fds: both ends live in this process; with -dep, the
// dependency's end is wherever -dep points).
//
// Fixed: `defer func() { io.Copy(io.Discard, resp.Body); resp.Body.Close() }()`: the
// connection goes back to the idle pool and is reused; idle ones close after 1 s.
//
// Trigger: plain load.
func unclosedBody(s *service, w http.ResponseWriter, r *http.Request) {
	// context.Background() (http.Client.Get): the call is not tied to the request, so the
	// request's end does not tear the connection down either.
	resp, err := s.up.dataClient.Get(s.up.base + "/data")
	if err != nil {
		textReply(w, http.StatusBadGateway, "dependency: %v\n", err)
		return
	}
	if s.fixed {
		defer func() {
			io.Copy(io.Discard, resp.Body) //nolint:errcheck // drain so the connection is reused
			resp.Body.Close()
		}()
	}
	// Leaky: nothing below closes resp.Body.
	prefix := make([]byte, 16)
	n, _ := io.ReadFull(resp.Body, prefix)
	s.bodyPrefixes.add(1)
	textReply(w, http.StatusOK, "dependency %s: %q...\n", resp.Status, prefix[:n])
}
