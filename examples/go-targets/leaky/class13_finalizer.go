package main

import (
	"net/http"
	"runtime"
)

// Class 13 — finalizer cycle.
//
// GET /leak/finalizer
//
// Per request the handler builds a small graph — two cycleNodes pointing at each other,
// one of them holding a 16 KiB payload — uses it and drops it. A finalizer is meant as a
// safety net that counts the graph as released.
//
// Leaky: runtime.SetFinalizer is set on a node that is part of the cycle. The garbage
// collector never frees (nor finalizes) an object with a finalizer that is reachable from
// itself: the cycle and its 16 KiB stay in the heap forever, kept alive by nothing but the
// runtime's finalizer record. Heap in-use grows ~16 KiB per request, every cycle; the
// allocation site is main.finalizerCycle (/debug/pprof/heap); goroutines stay flat.
//
// Fixed: no finalizer; the handler releases the graph explicitly when it is done with it
// (`defer s.release(a)`), and the next GC frees the whole cycle. (Moving the finalizer to
// a separate owner object that points into the cycle but is not pointed at by it would
// also fix the leak, but everything the owner reaches then survives one extra GC, until
// its finalizer has run — a forced GC before a sample would not bring the heap back.)
//
// Trigger: plain load, repeated cycles (with GCs in between).
func finalizerCycle(s *service, w http.ResponseWriter, r *http.Request) {
	a := &cycleNode{payload: make([]byte, 16<<10)}
	b := &cycleNode{peer: a}
	a.peer = b // a → b → a
	if s.fixed {
		defer s.release(a) // the fix: an explicit release, no finalizer
	} else {
		runtime.SetFinalizer(a, s.finalizeNode) // the leak: finalizer on a node of the cycle
	}
	textReply(w, http.StatusOK, "graph of %d bytes\n", len(a.payload))
}

type cycleNode struct {
	payload []byte
	peer    *cycleNode
}

func (s *service) finalizeNode(*cycleNode) { s.released.add(1) }
func (s *service) release(*cycleNode)      { s.released.add(1) }
