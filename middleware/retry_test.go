package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func retryPipeline(
	t *testing.T, opts middleware.RetryOptions, stage pipeline.Stage,
) *pipeline.Pipeline[int, int, runState] {
	t.Helper()
	mw := newRetry(t, opts)
	return newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{mw},
	}, stage)
}

func TestRetryCalls(t *testing.T) {
	tests := []struct {
		name      string
		retries   int
		failures  int
		wantCalls int
		wantErr   bool
	}{
		{name: "retries until success", retries: 2, failures: 1, wantCalls: 2},
		{name: "succeeds on last retry", retries: 2, failures: 2, wantCalls: 3},
		{name: "stops after last retry", retries: 2, failures: 5, wantCalls: 3, wantErr: true},
		{name: "calls once by default", retries: 0, failures: 5, wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter := &callCounter{failures: tt.failures}
			sleeps := &sleepRecorder{}
			p := retryPipeline(t, middleware.RetryOptions{
				Policy: pipeline.RetryPolicy{Retries: tt.retries},
				Sleep:  sleeps.sleep,
			}, pipeline.NewStage("flaky", counter.handle, pipeline.StageOptions{}))

			out, err := p.Run(t.Context(), 1, nil)

			assert.Equal(t, tt.wantCalls, counter.count())
			assert.Empty(t, sleeps.recorded(), "no sleep for a zero delay")
			if tt.wantErr {
				require.ErrorIs(t, err, errBoom)
				return
			}
			require.NoError(t, err)
			require.Equal(t, 2, out)
		})
	}
}

func TestRetryReturnsLastErrorUnchanged(t *testing.T) {
	var calls int
	handler := func(context.Context, int) (int, error) {
		calls++
		return 0, fmt.Errorf("attempt %d: %w", calls, errBoom)
	}
	outer, inner := &errorRecorder{}, &errorRecorder{}
	retry := newRetry(t, middleware.RetryOptions{
		Policy: pipeline.RetryPolicy{Retries: 2},
	})
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{outer.middleware, retry, inner.middleware},
	}, pipeline.NewStage("fail", handler, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)

	var stageErr *pipeline.StageError
	require.ErrorAs(t, err, &stageErr)
	assert.Equal(t, "fail", stageErr.Stage)
	assert.EqualError(t, stageErr.Err, "attempt 3: boom")

	innerErrs := inner.errors()
	require.Len(t, innerErrs, 3)
	require.Len(t, outer.errors(), 1)
	assert.True(t, innerErrs[2] == outer.errors()[0],
		"Retry returned %v, the last attempt returned %v", outer.errors()[0], innerErrs[2])
}

func TestRetryDelays(t *testing.T) {
	tests := []struct {
		name   string
		policy pipeline.RetryPolicy
		want   []time.Duration
	}{
		{
			name:   "fixed backoff",
			policy: pipeline.RetryPolicy{Retries: 2, Delay: 500 * time.Millisecond},
			want:   []time.Duration{500 * time.Millisecond, 500 * time.Millisecond},
		},
		{
			name: "exponential backoff",
			policy: pipeline.RetryPolicy{Retries: 3, Delay: time.Second,
				Backoff: pipeline.BackoffExponential},
			want: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name: "maximum delay",
			policy: pipeline.RetryPolicy{Retries: 3, Delay: time.Second,
				Backoff: pipeline.BackoffExponential, MaxDelay: 3 * time.Second},
			want: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sleeps := &sleepRecorder{}
			p := retryPipeline(t, middleware.RetryOptions{Policy: tt.policy, Sleep: sleeps.sleep},
				pipeline.NewStage("fail", failing(errBoom), pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)

			require.Equal(t, tt.want, sleeps.recorded())
		})
	}
}

func TestRetryInvalidPolicy(t *testing.T) {
	tests := []struct {
		name      string
		policy    pipeline.RetryPolicy
		wantErr   error
		wantField string
	}{
		{name: "negative retries", policy: pipeline.RetryPolicy{Retries: -1},
			wantErr: pipeline.ErrInvalidRetries, wantField: "Policy.Retries"},
		{name: "negative delay", policy: pipeline.RetryPolicy{Delay: -100 * time.Millisecond},
			wantErr: pipeline.ErrInvalidDelay, wantField: "Policy.Delay"},
		{name: "unknown backoff", policy: pipeline.RetryPolicy{Backoff: pipeline.Backoff(7)},
			wantErr: pipeline.ErrInvalidBackoff, wantField: "Policy.Backoff"},
		{name: "jitter above one", policy: pipeline.RetryPolicy{Jitter: 1.5},
			wantErr: pipeline.ErrInvalidJitter, wantField: "Policy.Jitter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := middleware.Retry[runState](middleware.RetryOptions{Policy: tt.policy})

			require.Nil(t, mw)
			require.ErrorIs(t, err, tt.wantErr)
			var cfg *pipeline.ConfigError
			require.ErrorAs(t, err, &cfg)
			assert.Equal(t, tt.wantField, cfg.Field)
		})
	}
}

func TestRetryDoesNotRetry(t *testing.T) {
	tests := []struct {
		name    string
		policy  pipeline.RetryPolicy
		handler func(ctx context.Context, cancel context.CancelFunc) error
		wantErr error
	}{
		{
			name:   "permanent error",
			policy: pipeline.RetryPolicy{Retries: 5},
			handler: func(context.Context, context.CancelFunc) error {
				return pipeline.Permanent(errBoom)
			},
			wantErr: pipeline.ErrPermanent,
		},
		{
			name:   "cancellation",
			policy: pipeline.RetryPolicy{Retries: 5},
			handler: func(ctx context.Context, cancel context.CancelFunc) error {
				cancel()
				return ctx.Err()
			},
			wantErr: context.Canceled,
		},
		{
			name: "error rejected by RetryIf",
			policy: pipeline.RetryPolicy{Retries: 5,
				RetryIf: func(err error) bool { return !errors.Is(err, errBoom) }},
			handler: func(context.Context, context.CancelFunc) error { return errBoom },
			wantErr: errBoom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var calls int
			handler := func(ctx context.Context, v int) (int, error) {
				calls++
				return 0, tt.handler(ctx, cancel)
			}
			p := retryPipeline(t, middleware.RetryOptions{Policy: tt.policy},
				pipeline.NewStage("stop", handler, pipeline.StageOptions{}))

			_, err := p.Run(ctx, 1, nil)

			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, 1, calls)
		})
	}
}

func TestRetryCancelledDuringDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	counter := &callCounter{failures: 5}
	var delays int
	p := retryPipeline(t, middleware.RetryOptions{
		Policy: pipeline.RetryPolicy{Retries: 5, Delay: time.Hour},
		Sleep: func(ctx context.Context, _ time.Duration) error {
			delays++
			cancel()
			return ctx.Err()
		},
	}, pipeline.NewStage("flaky", counter.handle, pipeline.StageOptions{}))

	_, err := p.Run(ctx, 1, nil)

	require.ErrorIs(t, err, context.Canceled)
	var stageErr *pipeline.StageError
	require.ErrorAs(t, err, &stageErr)
	assert.Equal(t, "flaky", stageErr.Stage)
	assert.Equal(t, 1, counter.count())
	assert.Equal(t, 1, delays)
}

func TestRetryMultipliesWithStageRetries(t *testing.T) {
	tests := []struct {
		name         string
		retries      int
		stageRetries int
	}{
		{name: "middleware retries only", retries: 2, stageRetries: 0},
		{name: "stage retries only", retries: 0, stageRetries: 2},
		{name: "both", retries: 2, stageRetries: 1},
		{name: "both larger", retries: 3, stageRetries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter := &callCounter{failures: 1000}
			p := retryPipeline(t, middleware.RetryOptions{
				Policy: pipeline.RetryPolicy{Retries: tt.retries},
			}, pipeline.NewStage("fail", counter.handle, pipeline.StageOptions{
				Retry: pipeline.RetryPolicy{Retries: tt.stageRetries},
			}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)

			assert.Equal(t, (1+tt.retries)*(1+tt.stageRetries), counter.count())
		})
	}
}

func TestRetryPassesSameInputAndState(t *testing.T) {
	var (
		mu     sync.Mutex
		inputs []int
	)
	handler := func(_ context.Context, v int, state *runState) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		inputs = append(inputs, v)
		state.Count++
		if state.Count < 3 {
			return 0, errBoom
		}
		return v * 10, nil
	}
	p := retryPipeline(t, middleware.RetryOptions{Policy: pipeline.RetryPolicy{Retries: 5}},
		pipeline.NewStateStage("count", handler, pipeline.StageOptions{}))

	var state runState
	out, err := p.Run(t.Context(), 4, &state)
	require.NoError(t, err)

	assert.Equal(t, 40, out)
	assert.Equal(t, []int{4, 4, 4}, inputs)
	assert.Equal(t, 3, state.Count, "state writes persist across attempts")
}

func TestRetryThenTimeoutFastStage(t *testing.T) {
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			newRetry(t, middleware.RetryOptions{
				Policy: pipeline.RetryPolicy{Retries: 2},
			}),
			newTimeout(t, 5*time.Second),
		},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

	out, err := p.Run(t.Context(), 1, nil)

	require.NoError(t, err)
	require.Equal(t, 2, out)
}

func TestRetryRetriesTimedOutCall(t *testing.T) {
	var calls atomic.Int32
	handler := func(ctx context.Context, v int) (int, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return v + 1, nil
	}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			newRetry(t, middleware.RetryOptions{
				Policy: pipeline.RetryPolicy{Retries: 1},
			}),
			newTimeout(t, 20*time.Millisecond),
		},
	}, pipeline.NewStage("slow_once", handler, pipeline.StageOptions{}))

	out, err := p.Run(t.Context(), 1, nil)

	require.NoError(t, err)
	assert.Equal(t, 2, out)
	assert.Equal(t, int32(2), calls.Load())
}
