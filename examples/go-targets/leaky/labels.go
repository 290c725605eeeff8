package main

import (
	"context"
	"net/http"
	"runtime/pprof"
)

// labelled runs h under the pprof labels route=<route> and method=<the request's method>
// (runtime/pprof.Do), as labelling middleware and request-tagging profilers do. Every
// goroutine h starts inherits the labels, so a leaked goroutine says which endpoint left
// it behind: in `goroutine?debug=1` ("# labels: {"method":"GET", "route":"/leak/..."}"),
// in `goroutine?debug=2` when GODEBUG=tracebacklabels=1 (the default for a `go 1.27`
// module: "goroutine 8 [chan send] {method: GET, route: "/leak/blocked-send"}:"), and in
// the goroutineleak profile. route is the registered path, never the request's own URL,
// so the label has one value per endpoint.
//
// Stacks show the wrapper as main.labelled.func1 and runtime/pprof.Do between the
// server and the handler; the handlers' own names are unchanged. (Not inlined, so that
// the closures keep those names.)
//
//go:noinline
func labelled(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("route", route, "method", r.Method), func(ctx context.Context) {
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	})
}
