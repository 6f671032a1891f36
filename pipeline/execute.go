package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// This file runs one stage: hooks around the middleware chain, the chain
// around the retry loop, the retry loop around single attempts.

// runStage runs st with hooks, middleware and retries.
func (p *Pipeline[In, Out, S]) runStage(ctx context.Context, st *Stage, input any, state *S) (any, error) {
	p.before(ctx, st.name, input, state)
	out, err := p.chain(ctx, st, input, state, 0, nil)
	if err != nil {
		out = nil
	}
	p.after(ctx, st.name, input, out, err, state)
	return out, err
}

// chain runs st inside the middleware. The innermost call is custom when set,
// else the single attempt numbered attempt when attempt > 0, else the retry
// loop.
func (p *Pipeline[In, Out, S]) chain(
	ctx context.Context, st *Stage, input any, state *S, attempt int, custom Handler[S],
) (any, error) {
	if len(p.opts.Middleware) == 0 && custom == nil {
		return p.inner(ctx, st, input, state, attempt, nil)
	}
	// attempts counts the attempts started so far. It is atomic because a
	// timeout middleware may abandon the inner call at its deadline while the
	// call's retry loop still writes to it.
	var attempts atomic.Int64
	attempts.Store(int64(attempt))
	h := custom
	if h == nil {
		h = func(ctx context.Context, input any, state *S) (any, error) {
			return p.inner(ctx, st, input, state, attempt, &attempts)
		}
	}
	for i := len(p.opts.Middleware) - 1; i >= 0; i-- {
		mw, next := p.opts.Middleware[i], h
		h = func(ctx context.Context, input any, state *S) (any, error) {
			return mw(ctx, st.name, input, state, next)
		}
	}
	out, err := callChain(ctx, h, input, state)
	if err == nil {
		err = st.checkOutput(out)
	}
	if err != nil {
		return nil, p.stageError(st, int(attempts.Load()), err)
	}
	return out, nil
}

func (p *Pipeline[In, Out, S]) inner(
	ctx context.Context, st *Stage, input any, state *S, attempt int, attempts *atomic.Int64,
) (any, error) {
	if attempt > 0 {
		out, err := p.attempt(ctx, st, input, state)
		if err != nil {
			return nil, p.stageError(st, attempt, withCancel(ctx, err))
		}
		return out, nil
	}
	return p.retry(ctx, st, input, state, attempts)
}

// retry makes up to 1+Retries attempts and returns a *StageError with the
// last attempt's error when none succeeds.
func (p *Pipeline[In, Out, S]) retry(
	ctx context.Context, st *Stage, input any, state *S, attempts *atomic.Int64,
) (any, error) {
	policy := st.opts.Retry
	for n := 1; ; n++ {
		// Count the attempt when it starts: a timeout middleware may abandon
		// the chain before the attempt returns, and its error must still
		// count the attempt.
		if attempts != nil {
			attempts.Store(int64(n))
		}
		out, err := p.attempt(ctx, st, input, state)
		if err == nil {
			return out, nil
		}
		if n > policy.Retries || !policy.Retryable(ctx, err) {
			return nil, p.stageError(st, n, withCancel(ctx, err))
		}
		if serr := p.sleep(ctx, policy.NextDelay(n)); serr != nil {
			return nil, p.stageError(st, n, sleepError(ctx, serr, err))
		}
	}
}

// sleep waits d before a retry. A panic of a custom Sleep comes back as a
// *PanicError, which ends the retries.
func (p *Pipeline[In, Out, S]) sleep(ctx context.Context, d time.Duration) (err error) {
	if d <= 0 {
		return nil
	}
	if p.opts.Sleep == nil {
		return SleepContext(ctx, d)
	}
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return p.opts.Sleep(ctx, d)
}

// attempt calls the handler once, bounded by the stage timeout.
func (p *Pipeline[In, Out, S]) attempt(ctx context.Context, st *Stage, input any, state *S) (any, error) {
	if st.opts.Timeout == 0 {
		return callHandler(ctx, st, input, state)
	}
	return runWithTimeout(ctx, st.opts.Timeout, state, p.state,
		func(ctx context.Context, state *S) (any, error) {
			return callHandler(ctx, st, input, state)
		})
}

// callHandler calls the handler and turns a panic into a *PanicError.
func callHandler[S any](ctx context.Context, st *Stage, input any, state *S) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return st.invoke(ctx, input, state)
}

// sleepError returns the error of a retry loop whose sleep before the next
// retry failed. It keeps the last attempt's error, made to match ctx's error
// when ctx is done and joined to the sleep's own error otherwise.
func sleepError(ctx context.Context, sleepErr, attemptErr error) error {
	if ctx.Err() != nil {
		return withCancel(ctx, attemptErr)
	}
	return fmt.Errorf("%w: %w", sleepErr, attemptErr)
}

// callChain calls the middleware chain h and turns a panic of a middleware
// into a *PanicError, as callHandler does for handlers.
func callChain[S any](
	ctx context.Context, h Handler[S], input any, state *S,
) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return h(ctx, input, state)
}

// withCancel makes sure an error that ends a stage because ctx is done
// matches ctx's error, even when the handler returned an error of its own.
func withCancel(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// stageError wraps err in a *StageError for st unless it already contains
// one made by this pipeline for st.
func (p *Pipeline[In, Out, S]) stageError(st *Stage, attempts int, err error) error {
	var se *StageError
	if errors.As(err, &se) && se.owner == p && se.Stage == st.name {
		return err
	}
	return &StageError{Stage: st.name, Attempts: attempts, Err: err, owner: p}
}

func (p *Pipeline[In, Out, S]) before(ctx context.Context, stage string, input any, state *S) {
	hook := p.opts.BeforeStage
	if hook == nil {
		return
	}
	p.reportHook(ctx, stage, "before", func() error { return hook(ctx, stage, input, state) })
}

func (p *Pipeline[In, Out, S]) after(ctx context.Context, stage string, input, output any, err error, state *S) {
	hook := p.opts.AfterStage
	if hook == nil {
		return
	}
	p.reportHook(ctx, stage, "after", func() error {
		return hook(ctx, stage, input, output, err, state)
	})
}

// reportHook calls a hook and reports its error or panic without stopping
// the run.
func (p *Pipeline[In, Out, S]) reportHook(ctx context.Context, stage, kind string, call func() error) {
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Stack: debug.Stack()}
			}
		}()
		return call()
	}()
	if err == nil {
		return
	}
	err = fmt.Errorf("pipeline: %s hook of stage %q failed: %w", kind, stage, err)
	if p.opts.OnHookError != nil {
		p.callOnHookError(ctx, stage, err)
		return
	}
	p.logger.DebugContext(ctx, "pipeline: hook failed",
		slog.String("pipeline", p.name), slog.String("stage", stage), slog.Any("error", err))
}

// callOnHookError passes a hook failure to Options.OnHookError. A panic in
// OnHookError is logged at debug level with the hook failure, because hook
// failures never stop a run and under Map the panic would end the process.
func (p *Pipeline[In, Out, S]) callOnHookError(ctx context.Context, stage string, hookErr error) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.DebugContext(ctx, "pipeline: OnHookError panicked",
				slog.String("pipeline", p.name), slog.String("stage", stage),
				slog.Any("error", hookErr),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	p.opts.OnHookError(stage, hookErr)
}
