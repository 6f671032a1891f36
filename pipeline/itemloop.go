package pipeline

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// errStopped is the cancellation cause once a fail-fast Map has a failure.
var errStopped = errors.New("pipeline: map stopped after a failed item")

// forEachItem calls run for indexes 0..n-1 on at most concurrency goroutines
// and returns the failures in index order. With failFast the first failure
// cancels the others and failures they report because of it are dropped.
// The error is ctx's error when ctx ended the loop, and the failures are
// then still returned.
func forEachItem(
	ctx context.Context, n, concurrency int, failFast bool,
	run func(ctx context.Context, i int) error,
) ([]*ItemError, error) {
	ictx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	loop := &itemLoop{ctx: ictx, cancel: cancel, n: n, failFast: failFast, run: run}
	for range min(concurrency, n) {
		loop.wg.Go(loop.work)
	}
	loop.wg.Wait()

	slices.SortFunc(loop.failures, func(a, b *ItemError) int { return a.Index - b.Index })
	return loop.failures, ctx.Err()
}

// itemLoop is the shared state of the goroutines of one forEachItem call.
type itemLoop struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	n        int
	failFast bool
	run      func(ctx context.Context, i int) error

	next     atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	failures []*ItemError
}

// work runs items until none is left or the loop is cancelled.
func (l *itemLoop) work() {
	for l.ctx.Err() == nil {
		i := int(l.next.Add(1) - 1)
		if i >= l.n {
			return
		}
		l.runItem(i)
	}
}

// runItem runs item i and records its failure. A run that calls
// runtime.Goexit ends this goroutine and cannot be stopped, so the deferred
// call records the item as failed and starts a new goroutine for the items
// left. It runs before the ending goroutine's wg.Done, so the WaitGroup
// counter is above zero and sync allows wg.Go during wg.Wait.
func (l *itemLoop) runItem(i int) {
	returned := false
	defer func() {
		if !returned {
			l.record(i, errGoexit)
			l.wg.Go(l.work)
		}
	}()
	err := l.run(l.ctx, i)
	returned = true
	if err != nil {
		l.record(i, err)
	}
}

func (l *itemLoop) record(i int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// A cancellation after the stop is one that this loop caused. The check
	// runs under the lock, so the failure that stops the loop is always kept,
	// even when its own error matches context.Canceled.
	if context.Cause(l.ctx) != errStopped || !errors.Is(err, context.Canceled) {
		l.failures = append(l.failures, &ItemError{Index: i, Err: err})
	}
	if l.failFast {
		l.cancel(errStopped)
	}
}
