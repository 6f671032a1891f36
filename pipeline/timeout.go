package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// RunWithTimeout calls fn with a context that expires after d and returns at
// that deadline even if fn ignores its context. The error then matches
// [ErrTimeout] and [context.DeadlineExceeded]. When ctx itself is done
// first, the error is ctx's error.
//
// fn works on a private deep copy of *state, made as [Pipeline.Map]
// describes, which is written back when fn returns in time. A call abandoned
// at its deadline therefore never races with later writers, and its writes
// are lost. The stage timeout and the timeout middleware are built on it.
//
// fn runs on its own goroutine, so a panic in fn comes back as a
// [*PanicError], and a call of runtime.Goexit in fn as an error rather than
// ending the caller's goroutine.
func RunWithTimeout[S any](
	ctx context.Context, d time.Duration, state *S,
	fn func(ctx context.Context, state *S) (any, error),
) (any, error) {
	copier, err := copierFor[S]()
	if err != nil {
		return nil, Permanent(fmt.Errorf("%w: %w", ErrStateNotSerializable, err))
	}
	return runWithTimeout(ctx, d, state, copier, fn)
}

// errGoexit is the error of a call that ended with runtime.Goexit, which
// runs deferred calls but returns no result, on a goroutine that this
// package started.
var errGoexit = errors.New("pipeline: runtime.Goexit called by a handler, hook or middleware")

type callResult struct {
	value any
	err   error
}

func runWithTimeout[S any](
	ctx context.Context, d time.Duration, state *S, copier stateCopier[S],
	fn func(ctx context.Context, state *S) (any, error),
) (any, error) {
	private, err := copier.copy(state)
	if err != nil {
		return nil, Permanent(err)
	}
	deadline := &TimeoutError{After: d}
	tctx, cancel := context.WithTimeoutCause(ctx, d, deadline)
	defer cancel()

	done := make(chan callResult, 1) // buffered: an abandoned call must not block
	go func() {
		var r callResult
		returned := false
		defer func() {
			if p := recover(); p != nil {
				r = callResult{err: &PanicError{Value: p, Stack: debug.Stack()}}
			} else if !returned {
				r = callResult{err: errGoexit}
			}
			done <- r
		}()
		r.value, r.err = fn(tctx, private)
		returned = true
	}()

	select {
	case r := <-done:
		*state = *private
		if r.err != nil && context.Cause(tctx) == deadline && ctx.Err() == nil &&
			!errors.Is(r.err, ErrTimeout) {
			// The call gave up because of the deadline. Report the timeout and
			// keep the call's own error inside it.
			return nil, markTimeout(deadline, r.err)
		}
		return r.value, r.err
	case <-tctx.Done():
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, deadline
	}
}

// markTimeout wraps err in the deadline error. A timeout middleware gets a
// *StageError from the rest of its chain. That error stays the outermost
// one, with the deadline wrapped around its cause, because the pipeline
// returns its own stage error as it is. Otherwise the run would report the
// stage error nested inside the deadline.
func markTimeout(deadline *TimeoutError, err error) error {
	if se, ok := err.(*StageError); ok {
		marked := *se
		marked.Err = fmt.Errorf("%w: %w", deadline, se.Err)
		return &marked
	}
	return fmt.Errorf("%w: %w", deadline, err)
}
