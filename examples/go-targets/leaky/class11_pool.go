package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Class 11 — worker pool loses workers.
//
// GET /leak/pool?panic=0|1&hang=0|1&timeout=MS   (defaults: a plain task; timeout=200)
//
// The service starts a fixed pool of poolWorkers (4) goroutines, main.poolWorker, at
// startup, fed through an unbuffered task channel. The handler submits one task, giving
// up with 503 if no worker takes it within 50 ms, then waits up to `timeout` for the result.
// panic=1 makes the task panic; hang=1 makes it wait on a channel nobody ever sends to.
//
// Leaky:
//   - a worker's recover() is around its whole loop: a panicking task ends the worker,
//     and nobody starts a replacement (pool_workers on /debug/vars goes down);
//   - a hung task holds its worker forever (main.runTask, `select`) — the task has no
//     deadline;
//   - Submit hands the send to a goroutine, main.poolSubmit.func1, and stops waiting
//     after 50 ms — but the goroutine does not: once the pool has no free worker left it
//     blocks forever in `chan send`, holding its task. After four panic/hang tasks, every
//     request leaks one: the queue of submitters (and the heap it holds) grows without end.
//
// Fixed: a worker recovers per task (runTaskSafely) and carries on; every task runs under
// a context deadline (100 ms), so a hung task fails instead of pinning its worker; and
// Submit is a select with the 50 ms timer — when nobody takes the task, nothing is left
// behind.
//
// Trigger: a few tasks that panic or hang (panic=1, hang=1), then plain load.
func poolSubmit(s *service, w http.ResponseWriter, r *http.Request) {
	p := s.pool
	t := &poolTask{
		panic:   boolParam(r, "panic", false),
		hang:    boolParam(r, "hang", false),
		release: make(chan struct{}),
		done:    make(chan error, 1),
	}
	submit := time.NewTimer(50 * time.Millisecond)
	defer submit.Stop()
	if s.fixed {
		select { // the fix: a bounded, non-blocking submission
		case p.tasks <- t:
		case <-submit.C:
			p.rejected.add(1)
			textReply(w, http.StatusServiceUnavailable, "pool busy\n")
			return
		}
	} else {
		accepted := make(chan struct{})
		// The first function literal here: main.poolSubmit.func1.
		go func() {
			p.tasks <- t // the leak: blocks forever once no worker is left
			close(accepted)
		}()
		select {
		case <-accepted:
		case <-submit.C:
			p.rejected.add(1)
			textReply(w, http.StatusServiceUnavailable, "pool busy\n")
			return // ... and the submitter goroutine stays behind
		}
	}

	wait := time.NewTimer(msParam(r, "timeout", 200*time.Millisecond))
	defer wait.Stop()
	select {
	case err := <-t.done:
		if err != nil {
			textReply(w, http.StatusInternalServerError, "task: %v\n", err)
			return
		}
		textReply(w, http.StatusOK, "task done\n")
	case <-wait.C:
		textReply(w, http.StatusGatewayTimeout, "task did not finish\n")
	case <-r.Context().Done():
	}
}

const poolWorkers = 4

type workerPool struct {
	tasks     chan *poolTask
	alive     counter
	lost      counter
	rejected  counter
	completed counter
}

type poolTask struct {
	panic, hang bool
	release     chan struct{} // nobody ever sends on it or closes it
	done        chan error    // buffered: the worker never blocks on the answer
}

func startWorkerPool(s *service, n int) *workerPool {
	p := &workerPool{tasks: make(chan *poolTask)}
	for i := 0; i < n; i++ {
		p.alive.add(1)
		go poolWorker(s, p)
	}
	return p
}

// poolWorker runs tasks until the service shuts down (leaky: or until a task panics).
func poolWorker(s *service, p *workerPool) {
	defer p.alive.add(-1)
	if s.fixed {
		for {
			select {
			case t := <-p.tasks:
				t.done <- runTaskSafely(t)
				p.completed.add(1)
			case <-s.shutdown:
				return
			}
		}
	}
	defer func() {
		// The leak: the recover is around the whole loop, so the worker survives the
		// panic only to return; nobody starts a replacement.
		if v := recover(); v != nil {
			p.lost.add(1)
		}
	}()
	for {
		select {
		case t := <-p.tasks:
			t.done <- runTask(context.Background(), t) // no deadline: a hung task pins the worker
			p.completed.add(1)
		case <-s.shutdown:
			return
		}
	}
}

// runTaskSafely is the fix: a deadline per task and a recover per task.
func runTaskSafely(t *poolTask) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("task panicked: %v", v)
		}
	}()
	return runTask(ctx, t)
}

// runTask is the task itself: panics, hangs until ctx ends, or does a millisecond of work.
func runTask(ctx context.Context, t *poolTask) error {
	if t.panic {
		panic("task asked to panic")
	}
	if t.hang {
		select {
		case <-t.release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	time.Sleep(time.Millisecond)
	return nil
}
