package pipeline_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// executorFixture is a two-stage pipeline that counts handler, middleware
// and hook calls.
type executorFixture struct {
	p                         *pipeline.Pipeline[int, int, testState]
	flaky                     *flaky
	middleware, before, after atomic.Int32
	hookErrors                *hookFailures
}

func newExecutorFixture(t *testing.T, failures int) *executorFixture {
	t.Helper()
	f := &executorFixture{flaky: &flaky{failures: failures}, hookErrors: &hookFailures{}}
	opts := pipeline.Options[testState]{
		BeforeStage: func(context.Context, string, any, *testState) error {
			f.before.Add(1)
			return errHook
		},
		AfterStage: func(context.Context, string, any, any, error, *testState) error {
			f.after.Add(1)
			return nil
		},
		OnHookError: f.hookErrors.report,
		Middleware: []pipeline.Middleware[testState]{
			func(ctx context.Context, _ string, in any, s *testState,
				next pipeline.Handler[testState]) (any, error) {
				f.middleware.Add(1)
				out, err := next(ctx, in.(int)*10, s)
				if err != nil {
					return nil, err
				}
				return out.(int) + 1, nil
			},
		},
	}
	f.p = newPipeline(t, opts,
		pipeline.NewStage("first", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("flaky", f.flaky.handle, pipeline.StageOptions{
			Timeout: time.Minute, Retry: pipeline.RetryPolicy{Retries: 2}}),
	)
	return f
}

func TestRunStageLikeRun(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 1)
	got, err := f.p.RunStage(t.Context(), "flaky", 2, &testState{})
	require.NoError(t, err)
	assert.Equal(t, 21, got, "middleware applied")
	assert.Equal(t, 2, f.flaky.calls, "retries applied")
	assert.Equal(t, int32(1), f.middleware.Load())
	assert.Equal(t, int32(1), f.before.Load())
	assert.Equal(t, int32(1), f.after.Load())
	assert.Len(t, f.hookErrors.errs, 1, "hook failures reported")
}

func TestRunAttemptMakesOneAttempt(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 100)
	_, err := f.p.RunAttempt(t.Context(), "flaky", 2, &testState{}, 3)
	require.ErrorIs(t, err, errBoom)
	se := stageErrorOf(t, err)
	assert.Equal(t, "flaky", se.Stage)
	assert.Equal(t, 3, se.Attempts)
	assert.Equal(t, 1, f.flaky.calls, "no retries")
	assert.Equal(t, int32(1), f.middleware.Load())
	assert.Zero(t, f.before.Load(), "no hooks")
	assert.Zero(t, f.after.Load(), "no hooks")
}

func TestRunAttemptSucceeds(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 0)
	got, err := f.p.RunAttempt(t.Context(), "first", 2, &testState{}, 1)
	require.NoError(t, err)
	assert.Equal(t, 22, got)
}

func TestRunAttemptAppliesTimeout(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("slow", blockUntilDone, pipeline.StageOptions{Timeout: shortTimeout}))
	_, err := p.RunAttempt(t.Context(), "slow", 1, &testState{}, 2)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	assert.Equal(t, 2, stageErrorOf(t, err).Attempts)
}

func TestRunMiddlewareCustomInner(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 0)
	var innerInput any
	inner := func(_ context.Context, in any, _ *testState) (any, error) {
		innerInput = in
		return 5, nil
	}
	got, err := f.p.RunMiddleware(t.Context(), "flaky", 2, &testState{}, 4, inner)
	require.NoError(t, err)
	assert.Equal(t, 20, innerInput, "middleware changed the input")
	assert.Equal(t, 6, got, "middleware changed the output")
	assert.Zero(t, f.flaky.calls, "the stage's handler is not called")
	assert.Zero(t, f.before.Load())

	failing := func(context.Context, any, *testState) (any, error) { return nil, errBoom }
	_, err = f.p.RunMiddleware(t.Context(), "flaky", 2, &testState{}, 4, failing)
	require.ErrorIs(t, err, errBoom)
	se := stageErrorOf(t, err)
	assert.Equal(t, "flaky", se.Stage)
	assert.Equal(t, 4, se.Attempts)
}

func TestRunHandlerReturnsRawResult(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 100)
	_, err := f.p.RunHandler(t.Context(), "flaky", 2, &testState{})
	assert.Equal(t, f.flaky.errs[0], err, "not wrapped in a StageError")
	assert.Equal(t, 1, f.flaky.calls)
	assert.Zero(t, f.middleware.Load())
	assert.Zero(t, f.before.Load())

	got, err := f.p.RunHandler(t.Context(), "first", 2, &testState{})
	require.NoError(t, err)
	assert.Equal(t, 3, got)
}

func TestRunHandlerPanicAndTimeout(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("panicky", panicOnTwo, pipeline.StageOptions{}),
		pipeline.NewStage("slow", blockUntilDone, pipeline.StageOptions{Timeout: shortTimeout}),
	)
	_, err := p.RunHandler(t.Context(), "panicky", 2, &testState{})
	var pe *pipeline.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "kaboom", pe.Value)

	_, err = p.RunHandler(t.Context(), "slow", 1, &testState{})
	require.ErrorIs(t, err, pipeline.ErrTimeout)
}

func TestRunHooksDirectly(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	failures := &hookFailures{}
	opts := rec.options()
	opts.OnHookError = failures.report
	p := newPipeline(t, opts, pipeline.NewStage("a", addOne, pipeline.StageOptions{}))

	p.RunBeforeHook(t.Context(), "a", 1, &testState{})
	p.RunAfterHook(t.Context(), "a", 1, nil, errBoom, &testState{})
	assert.Equal(t, []hookCall{
		{Kind: "before", Stage: "a", Input: 1},
		{Kind: "after", Stage: "a", Input: 1, Err: errBoom},
	}, rec.list())

	failing := failingHooks(true, true, true)
	failing.OnHookError = failures.report
	p = newPipeline(t, failing, pipeline.NewStage("a", addOne, pipeline.StageOptions{}))
	p.RunBeforeHook(t.Context(), "a", 1, &testState{})
	p.RunAfterHook(t.Context(), "a", 1, 2, nil, &testState{})
	require.Len(t, failures.errs, 2, "failures reported as Run reports them")
	assert.ErrorIs(t, failures.errs[0], pipeline.ErrPanic)
}

func TestExecutorUnknownStage(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 0)
	ctx, state := t.Context(), &testState{}
	inner := func(context.Context, any, *testState) (any, error) { return 0, nil }
	tests := []struct {
		name string
		call func() error
	}{
		{name: "RunStage", call: func() error {
			_, err := f.p.RunStage(ctx, "nope", 1, state)
			return err
		}},
		{name: "RunAttempt", call: func() error {
			_, err := f.p.RunAttempt(ctx, "nope", 1, state, 1)
			return err
		}},
		{name: "RunMiddleware", call: func() error {
			_, err := f.p.RunMiddleware(ctx, "nope", 1, state, 1, inner)
			return err
		}},
		{name: "RunHandler", call: func() error {
			_, err := f.p.RunHandler(ctx, "nope", 1, state)
			return err
		}},
	}
	for _, tc := range tests {
		assert.ErrorIs(t, tc.call(), pipeline.ErrUnknownStage, tc.name)
	}
	assert.Zero(t, f.middleware.Load())
}

func TestExecutorInputTypeMismatch(t *testing.T) {
	t.Parallel()
	f := newExecutorFixture(t, 0)
	_, err := f.p.RunHandler(t.Context(), "first", "text", &testState{})
	require.ErrorIs(t, err, pipeline.ErrTypeMismatch)
	require.ErrorIs(t, err, pipeline.ErrPermanent)

	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("counted", f.flaky.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 3}}))
	_, err = p.RunStage(t.Context(), "counted", "text", &testState{})
	require.ErrorIs(t, err, pipeline.ErrTypeMismatch)
	assert.Equal(t, 1, stageErrorOf(t, err).Attempts, "not retried")
	assert.Zero(t, f.flaky.calls, "the handler is not called")
}

func TestPipelineAccessors(t *testing.T) {
	t.Parallel()
	opts := pipeline.StageOptions{Timeout: time.Second, Retry: pipeline.RetryPolicy{Retries: 2}}
	toText := pipeline.NewStage("to-text", func(context.Context, int) (string, error) {
		return "", nil
	}, opts)
	length := pipeline.NewStage("length", func(_ context.Context, s string) (int, error) {
		return len(s), nil
	}, pipeline.StageOptions{})
	p, err := pipeline.New[int, int]("accessors", pipeline.Options[testState]{}, toText, length)
	require.NoError(t, err)

	assert.Equal(t, "accessors", p.Name())
	stages := p.Stages()
	require.Len(t, stages, 2)
	assert.Equal(t, "to-text", stages[0].Name())
	assert.Equal(t, "length", stages[1].Name())
	assert.Equal(t, opts.Timeout, stages[0].Options().Timeout)
	assert.Equal(t, opts.Retry.Retries, stages[0].Options().Retry.Retries)
	assert.Equal(t, reflect.TypeFor[int](), stages[0].InputType())
	assert.Equal(t, reflect.TypeFor[string](), stages[0].OutputType())

	stages[0] = length
	assert.Equal(t, "to-text", p.Stages()[0].Name(), "Stages returns a copy")
}
