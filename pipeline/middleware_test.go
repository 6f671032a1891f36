package pipeline_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func addTenToInput(ctx context.Context, _ string, in any, s *testState,
	next pipeline.Handler[testState]) (any, error) {
	return next(ctx, in.(int)+10, s)
}

func TestMiddlewareReceivesCallAndTransformsResult(t *testing.T) {
	t.Parallel()
	var (
		gotStage string
		gotInput any
		gotState *testState
	)
	doubleResult := func(ctx context.Context, stage string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		gotStage, gotInput, gotState = stage, in, s
		out, err := next(ctx, in, s)
		if err != nil {
			return nil, err
		}
		return out.(int) * 2, nil
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{doubleResult}},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))

	state := &testState{}
	got, err := p.Run(t.Context(), 1, state)
	require.NoError(t, err)
	assert.Equal(t, 4, got)
	assert.Equal(t, "add-one", gotStage)
	assert.Equal(t, 1, gotInput)
	assert.Same(t, state, gotState)
}

// loggingMiddleware records entering and leaving under the given name.
func loggingMiddleware(log *eventLog, name string) pipeline.Middleware[testState] {
	return func(ctx context.Context, stage string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		log.add(name + " in " + stage)
		out, err := next(ctx, in, s)
		log.add(name + " out " + stage)
		return out, err
	}
}

func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	opts := pipeline.Options[testState]{
		BeforeStage: func(_ context.Context, stage string, _ any, _ *testState) error {
			log.add("before " + stage)
			return nil
		},
		AfterStage: func(_ context.Context, stage string, _, _ any, _ error, _ *testState) error {
			log.add("after " + stage)
			return nil
		},
		Middleware: []pipeline.Middleware[testState]{
			loggingMiddleware(log, "m1"), loggingMiddleware(log, "m2"),
		},
	}
	p := newPipeline(t, opts, pipeline.NewStage("s", func(_ context.Context, v int) (int, error) {
		log.add("stage s")
		return v, nil
	}, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"before s", "m1 in s", "m2 in s", "stage s", "m2 out s", "m1 out s", "after s",
	}, log.list())
}

func TestMiddlewareChangesInput(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{addTenToInput}},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	got, err := p.Run(t.Context(), 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 14, got)
}

func TestMiddlewareShortCircuits(t *testing.T) {
	t.Parallel()
	calls := 0
	skip := func(context.Context, string, any, *testState,
		pipeline.Handler[testState]) (any, error) {
		return 100, nil
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{skip}},
		pipeline.NewStage("skipped", func(_ context.Context, v int) (int, error) {
			calls++
			return v, nil
		}, pipeline.StageOptions{}))
	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 100, got)
	assert.Zero(t, calls)
}

func TestMiddlewareCallsNextTwice(t *testing.T) {
	t.Parallel()
	calls := 0
	twice := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		first, err := next(ctx, in, s)
		if err != nil {
			return nil, err
		}
		second, err := next(ctx, first, s)
		return second, err
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{twice}},
		pipeline.NewStage("add-one", func(_ context.Context, v int) (int, error) {
			calls++
			return v + 1, nil
		}, pipeline.StageOptions{}))
	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, got)
	assert.Equal(t, 2, calls)
}

func TestMiddlewareRecordsStageError(t *testing.T) {
	t.Parallel()
	record := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		out, err := next(ctx, in, s)
		var se *pipeline.StageError
		if errors.As(err, &se) {
			s.Notes = append(s.Notes, se.Stage)
		}
		return out, err
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{record}},
		pipeline.NewStage("fail", fail, pipeline.StageOptions{}))

	state := &testState{}
	_, err := p.Run(t.Context(), 1, state)
	assert.Equal(t, errBoom, stageErrorOf(t, err).Err)
	assert.Equal(t, []string{"fail"}, state.Notes)
}

func TestMiddlewareStateWritesVisible(t *testing.T) {
	t.Parallel()
	set := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		s.Count = 7
		return next(ctx, in, s)
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{set}},
		pipeline.NewStateStage("read", readCount, pipeline.StageOptions{}))
	state := &testState{}
	got, err := p.Run(t.Context(), 0, state)
	require.NoError(t, err)
	assert.Equal(t, 7, got, "the handler sees the write")
	assert.Equal(t, 7, state.Count, "the caller sees the write")
}

func TestMiddlewareWrapsStageRetries(t *testing.T) {
	t.Parallel()
	nextCalls := 0
	count := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		nextCalls++
		return next(ctx, in, s)
	}
	f := &flaky{failures: 1}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{count}},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 1}}))

	got, err := p.Run(t.Context(), 5, nil)
	require.NoError(t, err)
	assert.Equal(t, 5, got)
	assert.Equal(t, 2, f.calls)
	assert.Equal(t, 1, nextCalls)
}

func TestMiddlewareFailureAttemptsCount(t *testing.T) {
	t.Parallel()
	f := &flaky{failures: 100}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{wrapError}},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 2}}))
	_, err := p.Run(t.Context(), 5, nil)
	assert.Equal(t, 3, stageErrorOf(t, err).Attempts)
}

func TestMiddlewareAppliedPerMapItem(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	doubleInput := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		calls.Add(1)
		return next(ctx, in.(int)*2, s)
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{doubleInput}},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))

	got, err := p.Map(t.Context(), []int{1, 2, 3}, 2, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 5, 7}, got)
	assert.Equal(t, int32(3), calls.Load())
}

func TestMiddlewareWithStageTimeout(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{loggingMiddleware(log, "m")}},
		pipeline.NewStage("slow", blockUntilDone, pipeline.StageOptions{Timeout: shortTimeout}))

	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	assert.Equal(t, "slow", stageErrorOf(t, err).Stage)
	assert.Equal(t, []string{"m in slow", "m out slow"}, log.list())
}

func TestMiddlewareOutputTypeChecked(t *testing.T) {
	t.Parallel()
	toString := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		if _, err := next(ctx, in, s); err != nil {
			return nil, err
		}
		return "not an int", nil
	}
	tests := []struct {
		name   string
		stages []pipeline.Stage
	}{
		{name: "last stage", stages: []pipeline.Stage{
			pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}),
		}},
		{name: "inner stage", stages: []pipeline.Stage{
			pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}),
			pipeline.NewStage("double", double, pipeline.StageOptions{}),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, pipeline.Options[testState]{
				Middleware: []pipeline.Middleware[testState]{toString}}, tc.stages...)
			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, pipeline.ErrTypeMismatch)
			require.ErrorIs(t, err, pipeline.ErrPermanent)
			assert.Equal(t, "add-one", stageErrorOf(t, err).Stage)
		})
	}
}

// runWithNilOutput runs a one-stage pipeline whose stage returns Out under
// a middleware that replaces the output with nil.
func runWithNilOutput[Out any](t *testing.T) (Out, error) {
	t.Helper()
	toNil := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		_, err := next(ctx, in, s)
		return nil, err
	}
	p, err := pipeline.New[int, Out]("nil-output", pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{toNil}},
		pipeline.NewStage("produce", func(context.Context, int) (Out, error) {
			var out Out
			return out, nil
		}, pipeline.StageOptions{}))
	require.NoError(t, err)
	return p.Run(t.Context(), 1, nil)
}

func TestMiddlewareNilOutputAllowedWhenNillable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T) (any, error)
	}{
		{name: "pointer", run: func(t *testing.T) (any, error) { return runWithNilOutput[*int](t) }},
		{name: "interface", run: func(t *testing.T) (any, error) { return runWithNilOutput[error](t) }},
		{name: "map", run: func(t *testing.T) (any, error) {
			return runWithNilOutput[map[string]int](t)
		}},
		{name: "slice", run: func(t *testing.T) (any, error) { return runWithNilOutput[[]int](t) }},
		{name: "chan", run: func(t *testing.T) (any, error) { return runWithNilOutput[chan int](t) }},
		{name: "func", run: func(t *testing.T) (any, error) { return runWithNilOutput[func()](t) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.run(t)
			require.NoError(t, err)
			assert.Nil(t, got)
		})
	}
}

func TestMiddlewareNilOutputRejectedWhenNotNillable(t *testing.T) {
	t.Parallel()
	type point struct{ X, Y int }
	tests := []struct {
		name string
		err  func(t *testing.T) error
	}{
		{name: "int", err: func(t *testing.T) error {
			_, err := runWithNilOutput[int](t)
			return err
		}},
		{name: "struct", err: func(t *testing.T) error {
			_, err := runWithNilOutput[point](t)
			return err
		}},
		{name: "string", err: func(t *testing.T) error {
			_, err := runWithNilOutput[string](t)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err(t)
			require.ErrorIs(t, err, pipeline.ErrTypeMismatch)
			require.ErrorIs(t, err, pipeline.ErrPermanent)
			se := stageErrorOf(t, err)
			assert.Equal(t, "produce", se.Stage)
			assert.ErrorContains(t, err, "middleware returned nil")
		})
	}
}

// timeoutMiddleware bounds the rest of the chain by d, as middleware.Timeout
// does.
func timeoutMiddleware(d time.Duration) pipeline.Middleware[testState] {
	return func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		return pipeline.RunWithTimeout(ctx, d, s,
			func(ctx context.Context, s *testState) (any, error) { return next(ctx, in, s) })
	}
}

func TestMiddlewareTimeoutCountsStartedAttempt(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{timeoutMiddleware(shortTimeout)}},
		pipeline.NewStage("ignores-ctx", func(_ context.Context, v int) (int, error) {
			<-release // ignores ctx, so the middleware abandons the call
			return v, nil
		}, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	assert.Equal(t, 1, stageErrorOf(t, err).Attempts, "the handler ran once")
}

func TestMiddlewareWrongOutputCountsAttempts(t *testing.T) {
	t.Parallel()
	toString := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		if _, err := next(ctx, in, s); err != nil {
			return nil, err
		}
		return "not an int", nil
	}
	tests := []struct {
		name string
		mws  []pipeline.Middleware[testState]
	}{
		{name: "wrong type", mws: []pipeline.Middleware[testState]{toString}},
		{name: "wrong type under timeout", mws: []pipeline.Middleware[testState]{
			timeoutMiddleware(time.Minute), toString}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, pipeline.Options[testState]{Middleware: tc.mws},
				pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, pipeline.ErrTypeMismatch)
			assert.Equal(t, 1, stageErrorOf(t, err).Attempts, "the handler ran once")
		})
	}
}
