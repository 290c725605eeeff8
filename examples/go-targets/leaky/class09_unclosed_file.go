package main

import (
	"net/http"
	"os"
	"sync"
)

// Class 9 — unclosed file.
//
// GET /leak/unclosed-file?fail=0|1   (default fail=1: the error path is the default)
//
// The service keeps a table of open handles (openHandles, map[int64]*os.File under a
// mutex) so that in-flight audit reads can be listed and cancelled. Per request the
// handler opens the service's audit journal (a file in the service's temp dir,
// $TMPDIR/leakgate-leaky-*/audit-journal.dat), registers it under the request id, reads
// the first 64 bytes and checks them.
//
// Leaky: the close-and-unregister is written at the end of the happy path only; the error
// path (the check fails: fail=1) returns early and the handle stays open and registered.
// Because the table still references the *os.File, its finalizer can never close it
// either: the process's open fds grow by one per failing request, all pointing to the
// journal, while the goroutine count stays flat.
//
// Fixed: `defer func() { handles.unregister(id); f.Close() }()` right after the open.
//
// Trigger: plain load (the error path is the default).
func unclosedFile(s *service, w http.ResponseWriter, r *http.Request) {
	fail := boolParam(r, "fail", true)
	id := s.reqID.add(1)
	f, err := os.Open(s.journalPath)
	if err != nil {
		textReply(w, http.StatusInternalServerError, "%v\n", err)
		return
	}
	s.handles.register(id, f)
	if s.fixed {
		defer func() { // the fix: every path closes and unregisters
			s.handles.unregister(id)
			f.Close()
		}()
	}

	head := make([]byte, 64)
	n, err := f.Read(head)
	if err != nil || fail {
		// The error path: leaky returns with f open and registered.
		textReply(w, http.StatusInternalServerError, "journal check failed (%d bytes read)\n", n)
		return
	}
	if !s.fixed {
		s.handles.unregister(id)
		f.Close()
	}
	textReply(w, http.StatusOK, "journal ok (%d bytes)\n", n)
}

// handleTable is the service's table of open handles, by request id.
type handleTable struct {
	mu          sync.Mutex
	openHandles map[int64]*os.File
}

func newHandleTable() *handleTable { return &handleTable{openHandles: make(map[int64]*os.File)} }

func (t *handleTable) register(id int64, f *os.File) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.openHandles[id] = f
}

func (t *handleTable) unregister(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.openHandles, id)
}

func (t *handleTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.openHandles)
}

// closeAll closes every registered handle (at service close).
func (t *handleTable) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, f := range t.openHandles {
		f.Close()
		delete(t.openHandles, id)
	}
}
