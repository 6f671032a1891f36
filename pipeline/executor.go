package pipeline

import "context"

// The methods in this file let another executor, such as a Temporal worker,
// run a pipeline one stage at a time. Run and Map do not need them.

// RunStage runs the named stage once as [Pipeline.Run] would: hooks,
// middleware and retries, on input and *state. input must fit the stage's
// input type; a mismatch is a permanent error matching [ErrTypeMismatch].
func (p *Pipeline[In, Out, S]) RunStage(ctx context.Context, stage string, input any, state *S) (any, error) {
	st, err := p.stage(stage)
	if err != nil {
		return nil, err
	}
	return p.runStage(ctx, st, input, state)
}

// RunAttempt makes attempt number attempt (1-based) of the named stage: the
// middleware chain around one handler call bounded by the stage timeout, with
// no hooks and no retries, because the executor owns both. A failure is a
// [*StageError] whose Attempts is attempt.
func (p *Pipeline[In, Out, S]) RunAttempt(
	ctx context.Context, stage string, input any, state *S, attempt int,
) (any, error) {
	st, err := p.stage(stage)
	if err != nil {
		return nil, err
	}
	return p.chain(ctx, st, input, state, max(attempt, 1), nil)
}

// RunMiddleware runs the middleware chain of the named stage around inner
// instead of the stage's own handler, for an executor that makes the handler
// call elsewhere (a Temporal activity interceptor, say). A failure is a
// [*StageError] whose Attempts is attempt.
func (p *Pipeline[In, Out, S]) RunMiddleware(
	ctx context.Context, stage string, input any, state *S, attempt int, inner Handler[S],
) (any, error) {
	st, err := p.stage(stage)
	if err != nil {
		return nil, err
	}
	return p.chain(ctx, st, input, state, max(attempt, 1), inner)
}

// RunHandler calls the named stage's handler once, bounded by the stage
// timeout, with no middleware, hooks or retries. A panic comes back as a
// [*PanicError]; errors are returned as the handler made them, not wrapped
// in a [*StageError].
func (p *Pipeline[In, Out, S]) RunHandler(ctx context.Context, stage string, input any, state *S) (any, error) {
	st, err := p.stage(stage)
	if err != nil {
		return nil, err
	}
	return p.attempt(ctx, st, input, state)
}

// RunBeforeHook calls [Options.BeforeStage] for the named stage, reporting
// its failure as Run does.
func (p *Pipeline[In, Out, S]) RunBeforeHook(ctx context.Context, stage string, input any, state *S) {
	p.before(ctx, stage, input, state)
}

// RunAfterHook calls [Options.AfterStage] for the named stage, reporting its
// failure as Run does.
func (p *Pipeline[In, Out, S]) RunAfterHook(
	ctx context.Context, stage string, input, output any, err error, state *S,
) {
	p.after(ctx, stage, input, output, err, state)
}
