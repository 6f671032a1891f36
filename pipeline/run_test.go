package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func TestRunChainsStagesInOrder(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}),
	)
	got, err := p.Run(t.Context(), 10, nil)
	require.NoError(t, err)
	assert.Equal(t, 22, got)
}

func TestRunSingleStage(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, got)
}

func bump(_ context.Context, v int, s *testState) (int, error) {
	s.Count++
	return v, nil
}

func readCount(_ context.Context, _ int, s *testState) (int, error) { return s.Count, nil }

func TestRunNilStateStartsFromZero(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStateStage("bump", bump, pipeline.StageOptions{}),
		pipeline.NewStateStage("read", readCount, pipeline.StageOptions{}),
	)
	for range 2 {
		got, err := p.Run(t.Context(), 0, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, got, "each run gets a fresh state shared by its stages")
	}
}

func TestRunStateWritesVisible(t *testing.T) {
	t.Parallel()
	write := pipeline.NewStateStage("write",
		func(_ context.Context, v int, s *testState) (int, error) {
			s.Notes = append(s.Notes, "written")
			s.Tags = map[string]int{"v": v}
			return v, nil
		}, pipeline.StageOptions{})
	read := pipeline.NewStateStage("read",
		func(_ context.Context, _ int, s *testState) (int, error) {
			return len(s.Notes) + s.Tags["v"], nil
		}, pipeline.StageOptions{})
	p := newPipeline(t, pipeline.Options[testState]{}, write, read)

	state := &testState{}
	got, err := p.Run(t.Context(), 5, state)
	require.NoError(t, err)
	assert.Equal(t, 6, got, "stage 2 sees the writes of stage 1")
	assert.Equal(t, []string{"written"}, state.Notes)
	assert.Equal(t, map[string]int{"v": 5}, state.Tags)
}

func TestRunStateWritesPersistAfterError(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStateStage("write-then-fail",
			func(_ context.Context, _ int, s *testState) (int, error) {
				s.Count = 5
				return 0, errBoom
			}, pipeline.StageOptions{}))
	state := &testState{}
	_, err := p.Run(t.Context(), 0, state)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, 5, state.Count)
}

func TestRunSharesStatePointer(t *testing.T) {
	t.Parallel()
	var seen []*testState
	opts := pipeline.Options[testState]{
		BeforeStage: func(_ context.Context, _ string, _ any, s *testState) error {
			seen = append(seen, s)
			return nil
		},
		AfterStage: func(_ context.Context, _ string, _, _ any, _ error, s *testState) error {
			seen = append(seen, s)
			return nil
		},
		Middleware: []pipeline.Middleware[testState]{
			func(ctx context.Context, _ string, in any, s *testState,
				next pipeline.Handler[testState]) (any, error) {
				seen = append(seen, s)
				return next(ctx, in, s)
			},
		},
	}
	p := newPipeline(t, opts, pipeline.NewStateStage("record",
		func(_ context.Context, v int, s *testState) (int, error) {
			seen = append(seen, s)
			return v, nil
		}, pipeline.StageOptions{}))

	state := &testState{}
	_, err := p.Run(t.Context(), 1, state)
	require.NoError(t, err)
	require.Len(t, seen, 4, "before hook, middleware, handler, after hook")
	for i, s := range seen {
		assert.Same(t, state, s, "call %d", i)
	}
}

func TestRunStopsBeforeNextStageWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	secondCalls := 0
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("cancel", func(_ context.Context, v int) (int, error) {
			cancel()
			return v, nil
		}, pipeline.StageOptions{}),
		pipeline.NewStage("second", func(_ context.Context, v int) (int, error) {
			secondCalls++
			return v, nil
		}, pipeline.StageOptions{}),
	)
	_, err := p.Run(ctx, 1, nil)
	require.ErrorIs(t, err, context.Canceled)
	se := stageErrorOf(t, err)
	assert.Equal(t, "second", se.Stage)
	assert.Equal(t, 0, se.Attempts)
	assert.Zero(t, secondCalls)
}

func TestRunNilInterfaceOutputBecomesZero(t *testing.T) {
	t.Parallel()
	p, err := pipeline.New[int, error]("p", pipeline.Options[testState]{},
		pipeline.NewStage("nil", func(context.Context, int) (error, error) {
			return nil, nil
		}, pipeline.StageOptions{}),
		pipeline.NewStage("pass", func(_ context.Context, e error) (error, error) {
			return e, nil
		}, pipeline.StageOptions{}),
	)
	require.NoError(t, err)
	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.NoError(t, got)
}

func TestStageErrorCarriesHandlerError(t *testing.T) {
	t.Parallel()
	custom := &codeError{Code: 7}
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("ok", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("custom", func(context.Context, int) (int, error) {
			return 0, custom
		}, pipeline.StageOptions{}),
	)
	_, err := p.Run(t.Context(), 1, nil)
	se := stageErrorOf(t, err)
	assert.Equal(t, "custom", se.Stage)
	assert.Equal(t, 1, se.Attempts)
	assert.Same(t, custom, se.Err)
	var ce *codeError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 7, ce.Code)
}

func TestStageErrorMatchesSentinel(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("fail", fail, pipeline.StageOptions{}))
	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, errBoom, stageErrorOf(t, err).Err)
}

func passThrough(ctx context.Context, _ string, in any, s *testState,
	next pipeline.Handler[testState]) (any, error) {
	return next(ctx, in, s)
}

func wrapError(ctx context.Context, stage string, in any, s *testState,
	next pipeline.Handler[testState]) (any, error) {
	out, err := next(ctx, in, s)
	if err != nil {
		return nil, fmt.Errorf("middleware saw %s: %w", stage, err)
	}
	return out, nil
}

func TestStageErrorNotWrappedTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		middleware []pipeline.Middleware[testState]
	}{
		{name: "no middleware"},
		{name: "middleware returns error",
			middleware: []pipeline.Middleware[testState]{passThrough, passThrough}},
		{name: "middleware wraps error",
			middleware: []pipeline.Middleware[testState]{wrapError, passThrough}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, pipeline.Options[testState]{Middleware: tc.middleware},
				pipeline.NewStage("fail", fail, pipeline.StageOptions{}))
			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)
			assert.Equal(t, 1, countStageErrors(err))
			assert.Equal(t, errBoom, stageErrorOf(t, err).Err)
		})
	}
}

func TestNestedPipelineNamesBothStages(t *testing.T) {
	t.Parallel()
	inner := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("inner-stage", fail, pipeline.StageOptions{}))
	outer := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("outer-stage", func(ctx context.Context, v int) (int, error) {
			return inner.Run(ctx, v, nil)
		}, pipeline.StageOptions{}))

	_, err := outer.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, errBoom)
	outerErr := stageErrorOf(t, err)
	assert.Equal(t, "outer-stage", outerErr.Stage)
	innerErr := stageErrorOf(t, outerErr.Err)
	assert.Equal(t, "inner-stage", innerErr.Stage)
	assert.Equal(t, errBoom, innerErr.Err)
}

func TestMiddlewareErrorNamesStage(t *testing.T) {
	t.Parallel()
	errMiddleware := errors.New("middleware failed")
	calls := 0
	failing := func(context.Context, string, any, *testState,
		pipeline.Handler[testState]) (any, error) {
		return nil, errMiddleware
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{passThrough, failing}},
		pipeline.NewStage("guarded", func(_ context.Context, v int) (int, error) {
			calls++
			return v, nil
		}, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	se := stageErrorOf(t, err)
	assert.Equal(t, "guarded", se.Stage)
	assert.Equal(t, 0, se.Attempts, "the handler never ran")
	assert.Equal(t, errMiddleware, se.Err)
	assert.Zero(t, calls)
}
