package middleware_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func TestTimeoutInvalidDuration(t *testing.T) {
	tests := []struct {
		name       string
		d          time.Duration
		wantDetail string
	}{
		{name: "zero", d: 0, wantDetail: "0s, must be greater than 0"},
		{name: "negative", d: -time.Second, wantDetail: "-1s, must be greater than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := middleware.Timeout[runState](tt.d)

			require.Nil(t, mw)
			require.ErrorIs(t, err, pipeline.ErrInvalidTimeout)
			var cfg *pipeline.ConfigError
			require.ErrorAs(t, err, &cfg)
			assert.Equal(t, "timeout", cfg.Field)
			assert.Equal(t, tt.wantDetail, cfg.Detail)
			assert.NotContains(t, err.Error(), "must not be negative",
				"the message must state only the middleware's own rule")
		})
	}
}

func TestTimeoutFastStage(t *testing.T) {
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{newTimeout(t, 5*time.Second)},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

	out, err := p.Run(t.Context(), 1, nil)

	require.NoError(t, err)
	require.Equal(t, 2, out)
}

// requireStageTimeout checks that err is a stage error for stage whose
// cause matches both timeout errors.
func requireStageTimeout(t *testing.T, err error, stage string) {
	t.Helper()
	stageErr, ok := err.(*pipeline.StageError)
	require.True(t, ok, "error is %T (%v), want *pipeline.StageError", err, err)
	assert.Equal(t, stage, stageErr.Stage)
	assert.ErrorIs(t, stageErr.Err, pipeline.ErrTimeout)
	assert.ErrorIs(t, stageErr.Err, context.DeadlineExceeded)
}

func TestTimeoutExpires(t *testing.T) {
	tests := []struct {
		name    string
		handler func(ctx context.Context, release <-chan struct{}) error
	}{
		{
			name: "handler ignores its context",
			handler: func(_ context.Context, release <-chan struct{}) error {
				<-release
				return nil
			},
		},
		{
			name: "handler returns the context error",
			handler: func(ctx context.Context, _ <-chan struct{}) error {
				<-ctx.Done()
				return ctx.Err()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			handler := func(ctx context.Context, v int) (int, error) {
				return v, tt.handler(ctx, release)
			}
			var hookErr error
			p := newPipeline[int, int](t, pipeline.Options[runState]{
				AfterStage: func(_ context.Context, _ string, _, _ any, err error, _ *runState) error {
					hookErr = err
					return nil
				},
				Middleware: []pipeline.Middleware[runState]{newTimeout(t, 20*time.Millisecond)},
			}, pipeline.NewStage("slow", handler, pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 1, nil)

			requireStageTimeout(t, err, "slow")
			assert.Equal(t, err, hookErr, "the after hook sees the returned error")
		})
	}
}

func TestTimeoutBoundsStageRetries(t *testing.T) {
	counter := &callCounter{failures: 1000}
	var delays atomic.Int32
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{newTimeout(t, 20*time.Millisecond)},
		Sleep: func(ctx context.Context, _ time.Duration) error {
			if delays.Add(1) == 1 {
				return nil
			}
			<-ctx.Done()
			return ctx.Err()
		},
	}, pipeline.NewStage("fail", counter.handle, pipeline.StageOptions{
		Retry: pipeline.RetryPolicy{Retries: 5, Delay: time.Hour},
	}))

	_, err := p.Run(t.Context(), 1, nil)

	requireStageTimeout(t, err, "fail")
	assert.Equal(t, 2, counter.count(), "no attempt after the deadline")
}

func TestTimeoutBoundsRetryMiddleware(t *testing.T) {
	counter := &callCounter{failures: 1000}
	var delays atomic.Int32
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			newTimeout(t, 20*time.Millisecond),
			newRetry(t, middleware.RetryOptions{
				Policy: pipeline.RetryPolicy{Retries: 5, Delay: time.Hour},
				Sleep: func(ctx context.Context, _ time.Duration) error {
					if delays.Add(1) == 1 {
						return nil
					}
					<-ctx.Done()
					return ctx.Err()
				},
			}),
		},
	}, pipeline.NewStage("fail", counter.handle, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)

	requireStageTimeout(t, err, "fail")
	assert.Equal(t, 2, counter.count(), "no attempt after the deadline")
	assert.Equal(t, int32(2), delays.Load())
}

func TestTimeoutState(t *testing.T) {
	t.Run("keeps writes of a call in time", func(t *testing.T) {
		handler := func(_ context.Context, v int, state *runState) (int, error) {
			state.Count = 7
			return v, nil
		}
		p := newPipeline[int, int](t, pipeline.Options[runState]{
			Middleware: []pipeline.Middleware[runState]{newTimeout(t, 5*time.Second)},
		}, pipeline.NewStateStage("write", handler, pipeline.StageOptions{}))

		var state runState
		_, err := p.Run(t.Context(), 1, &state)
		require.NoError(t, err)

		assert.Equal(t, 7, state.Count)
	})
	t.Run("drops writes of a call past the deadline", func(t *testing.T) {
		written := make(chan struct{})
		var once sync.Once
		handler := func(ctx context.Context, v int, state *runState) (int, error) {
			<-ctx.Done()
			state.Count = 7
			once.Do(func() { close(written) })
			return v, nil
		}
		p := newPipeline[int, int](t, pipeline.Options[runState]{
			Middleware: []pipeline.Middleware[runState]{newTimeout(t, 20*time.Millisecond)},
		}, pipeline.NewStateStage("write", handler, pipeline.StageOptions{}))

		var state runState
		_, err := p.Run(t.Context(), 1, &state)
		<-written

		requireStageTimeout(t, err, "write")
		assert.Equal(t, 0, state.Count)
	})
}

// A call that ends at the same moment as its deadline takes a rare path in
// which the call's own result is returned. Many tiny deadlines make that
// path likely enough to check that the error keeps its shape there too.
func TestTimeoutRaceWithDeadline(t *testing.T) {
	handler := func(ctx context.Context, v int) (int, error) { return v, ctx.Err() }
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{newTimeout(t, time.Nanosecond)},
	}, pipeline.NewStage("instant", handler, pipeline.StageOptions{}))

	for range 20000 {
		_, err := p.Run(t.Context(), 1, nil)
		requireStageTimeout(t, err, "instant")
	}
}
