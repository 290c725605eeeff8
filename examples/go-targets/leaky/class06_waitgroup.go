package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Class 6 — WaitGroup misuse.
//
// GET /leak/waitgroup?fail=0|1&id=N   (defaults: fail=0; a non-numeric id also fails)
//
// The handler fans out to three parts, main.waitGroupPart, counted by a sync.WaitGroup,
// and waits for them through a waiter goroutine, main.waitGroupMisuse.func1:
//
//	go func() { wg.Wait(); close(done) }()
//
// with a 50 ms limit of its own (so the handler never blocks forever: it answers 500).
//
// Leaky: a part calls wg.Done() at the end of its happy path only. On the error path
// (fail=1, or an invalid id) part 1 returns early without Done, the counter never reaches
// zero and the waiter blocks forever in sync.(*WaitGroup).Wait (state `semacquire`; Go
// 1.25+ prints `sync.WaitGroup.Wait`). One goroutine per failing request.
//
// Fixed: `defer wg.Done()` first thing in every part.
//
// Trigger: the error path (fail=1). Without it neither variant leaks.
func waitGroupMisuse(s *service, w http.ResponseWriter, r *http.Request) {
	fail := boolParam(r, "fail", false)
	if id := r.URL.Query().Get("id"); id != "" {
		if _, err := strconv.Atoi(id); err != nil {
			fail = true // bad input takes the error path too
		}
	}

	const parts = 3
	var wg sync.WaitGroup
	errs := make(chan error, parts)
	for i := 0; i < parts; i++ {
		wg.Add(1)
		go waitGroupPart(s, &wg, i, fail, errs)
	}
	done := make(chan struct{})
	// The first function literal here: main.waitGroupMisuse.func1.
	go func() {
		wg.Wait()
		close(done)
	}()

	timer := time.NewTimer(50 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		textReply(w, http.StatusInternalServerError, "parts did not finish within 50ms\n")
		return
	}
	select {
	case err := <-errs:
		textReply(w, http.StatusInternalServerError, "%v\n", err)
	default:
		textReply(w, http.StatusOK, "%d parts done\n", parts)
	}
}

var errPartFailed = errors.New("part failed")

// waitGroupPart is one of the fanned-out parts; part 1 fails on the error path.
func waitGroupPart(s *service, wg *sync.WaitGroup, i int, fail bool, errs chan<- error) {
	if s.fixed {
		defer wg.Done() // the fix: Done on every path
	}
	if fail && i == 1 {
		errs <- fmt.Errorf("part %d: %w", i, errPartFailed)
		return // leaky: returns without wg.Done()
	}
	time.Sleep(time.Millisecond) // the part's work
	if !s.fixed {
		wg.Done() // leaky: only on the happy path
	}
}
