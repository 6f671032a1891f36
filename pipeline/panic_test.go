package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func panicOnTwo(_ context.Context, v int) (int, error) {
	if v == 2 {
		panic("kaboom")
	}
	return v, nil
}

func TestPanicFailsStage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts pipeline.StageOptions
	}{
		{name: "no timeout"},
		{name: "under timeout", opts: pipeline.StageOptions{Timeout: time.Minute}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, pipeline.Options[testState]{},
				pipeline.NewStage("panicky", panicOnTwo, tc.opts))

			_, err := p.Run(t.Context(), 2, nil)
			require.ErrorIs(t, err, pipeline.ErrPanic)
			assert.Equal(t, "panicky", stageErrorOf(t, err).Stage)
			var pe *pipeline.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "kaboom", pe.Value)
			assert.Contains(t, string(pe.Stack), "pipeline_test.panicOnTwo")
		})
	}
}

func TestPanicWithErrorUnwraps(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("panicky", func(context.Context, int) (int, error) {
			panic(errBoom)
		}, pipeline.StageOptions{}))
	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, pipeline.ErrPanic)
	require.ErrorIs(t, err, errBoom)
}

func TestPanicRetriedLikeError(t *testing.T) {
	t.Parallel()
	calls := 0
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("panic-once", func(_ context.Context, v int) (int, error) {
			calls++
			if calls == 1 {
				panic("first call")
			}
			return v, nil
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1}}))
	got, err := p.Run(t.Context(), 3, nil)
	require.NoError(t, err, "a panic is an attempt error like any other")
	assert.Equal(t, 3, got)
	assert.Equal(t, 2, calls)
}

func TestPanicInMapFailsOnlyItsItem(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("panicky", panicOnTwo, pipeline.StageOptions{}))

	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 2, nil)
	require.NoError(t, err)
	require.Len(t, results, 3)
	assert.NoError(t, results[0].Err)
	assert.Equal(t, 1, results[0].Value)
	assert.ErrorIs(t, results[1].Err, pipeline.ErrPanic)
	assert.NoError(t, results[2].Err)
	assert.Equal(t, 3, results[2].Value)

	_, err = p.Map(t.Context(), []int{1, 2, 3}, 1, nil)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1)
	assert.Equal(t, 1, me.Items[0].Index)
	assert.ErrorIs(t, me.Items[0], pipeline.ErrPanic)
}

func TestMiddlewarePanicFailsStage(t *testing.T) {
	t.Parallel()
	panicOnTwoInput := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		if in == 2 {
			panic("middleware kaboom")
		}
		return next(ctx, in, s)
	}
	p := newPipeline(t, pipeline.Options[testState]{
		Middleware: []pipeline.Middleware[testState]{panicOnTwoInput}},
		pipeline.NewStage("guarded", addOne, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 2, nil)
	require.ErrorIs(t, err, pipeline.ErrPanic)
	se := stageErrorOf(t, err)
	assert.Equal(t, "guarded", se.Stage)
	var pe *pipeline.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "middleware kaboom", pe.Value)

	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 3, nil)
	require.NoError(t, err)
	assert.NoError(t, results[0].Err)
	assert.ErrorIs(t, results[1].Err, pipeline.ErrPanic)
	assert.NoError(t, results[2].Err)
}
