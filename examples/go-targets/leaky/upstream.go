package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// upstream is the outbound side of classes 3, 7 and 8: the base URL they call and the
// clients they call it with. The base is -dep when given (then class 3 calls {base}/slow
// over HTTP as well), else the in-process dependency's URL.
type upstream struct {
	base   string // "http://host:port", no trailing "/"
	remote bool   // -dep was given

	// dataClient is the shared client of class 7: few idle connections per host, so a
	// body that is never closed pins its connection and the next request dials a new one.
	dataClient *http.Client
	// hangTransport is the shared transport of class 8 (the clients differ by Timeout).
	hangTransport *http.Transport
	// slowTransport is the shared transport of class 3 with -dep (no client Timeout in
	// either mode: only the context differs).
	slowTransport *http.Transport
}

func newUpstream(inProcessURL, depURL string) *upstream {
	u := &upstream{
		base:   inProcessURL,
		remote: depURL != "",
		dataClient: &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 2,
			IdleConnTimeout:     time.Second, // idle keep-alives are gone soon after the load stops
		}},
		hangTransport: &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Second},
		slowTransport: &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Second},
	}
	if u.remote {
		u.base = depURL
	}
	return u
}

// close drops the idle connections of every client.
func (u *upstream) close() {
	u.dataClient.CloseIdleConnections()
	u.hangTransport.CloseIdleConnections()
	u.slowTransport.CloseIdleConnections()
}

// parseDepURL checks a -dep value: an absolute http:// URL with a host and no query;
// the result has no trailing "/".
func parseDepURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid -dep %q: want a base URL like http://127.0.0.1:9000", s)
	}
	return strings.TrimSuffix(s, "/"), nil
}
