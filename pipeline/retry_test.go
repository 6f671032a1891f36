package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// flaky fails its first failures calls with a fresh error each time and then
// returns its input. It records every error it returns.
type flaky struct {
	failures int
	calls    int
	errs     []error
}

func (f *flaky) handle(_ context.Context, v int) (int, error) {
	f.calls++
	if f.calls <= f.failures {
		err := fmt.Errorf("call %d: %w", f.calls, errBoom)
		f.errs = append(f.errs, err)
		return 0, err
	}
	return v, nil
}

func TestRetryAttempts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		retries   int
		failures  int
		wantCalls int
		wantErr   bool
	}{
		{name: "no retries", retries: 0, failures: 1, wantCalls: 1, wantErr: true},
		{name: "always failing", retries: 1, failures: 10, wantCalls: 2, wantErr: true},
		{name: "fails once", retries: 2, failures: 1, wantCalls: 2},
		{name: "succeeds at once", retries: 3, failures: 0, wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &flaky{failures: tc.failures}
			p := newPipeline(t, pipeline.Options[testState]{},
				pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
					Retry: pipeline.RetryPolicy{Retries: tc.retries}}))

			got, err := p.Run(t.Context(), 7, nil)
			assert.Equal(t, tc.wantCalls, f.calls)
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, 7, got)
				return
			}
			se := stageErrorOf(t, err)
			assert.Equal(t, tc.wantCalls, se.Attempts)
			assert.Same(t, f.errs[len(f.errs)-1], se.Err, "Err is the last attempt's error")
		})
	}
}

func TestRetryDelays(t *testing.T) {
	t.Parallel()
	const d = 100 * time.Millisecond
	tests := []struct {
		name   string
		policy pipeline.RetryPolicy
		want   []time.Duration
	}{
		{name: "fixed",
			policy: pipeline.RetryPolicy{Retries: 2, Delay: d},
			want:   []time.Duration{d, d}},
		{name: "exponential",
			policy: pipeline.RetryPolicy{Retries: 3, Delay: d,
				Backoff: pipeline.BackoffExponential},
			want: []time.Duration{d, 2 * d, 4 * d}},
		{name: "exponential capped",
			policy: pipeline.RetryPolicy{Retries: 4, Delay: d,
				Backoff: pipeline.BackoffExponential, MaxDelay: 3 * d},
			want: []time.Duration{d, 2 * d, 3 * d, 3 * d}},
		{name: "fixed capped",
			policy: pipeline.RetryPolicy{Retries: 2, Delay: 2 * d, MaxDelay: d},
			want:   []time.Duration{d, d}},
		{name: "zero delay never sleeps",
			policy: pipeline.RetryPolicy{Retries: 2},
			want:   nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &sleepRecorder{}
			f := &flaky{failures: 100}
			p := newPipeline(t, pipeline.Options[testState]{Sleep: rec.sleep},
				pipeline.NewStage("flaky", f.handle,
					pipeline.StageOptions{Retry: tc.policy}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)
			assert.Equal(t, tc.policy.Retries+1, f.calls)
			assert.Equal(t, tc.want, rec.list())
		})
	}
}

func TestRetryNoSleepAfterLastAttempt(t *testing.T) {
	t.Parallel()
	rec := &sleepRecorder{}
	f := &flaky{failures: 2}
	p := newPipeline(t, pipeline.Options[testState]{Sleep: rec.sleep},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 5, Delay: time.Second}}))
	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second, time.Second}, rec.list())
}

func TestRetryJitter(t *testing.T) {
	t.Parallel()
	const d = 100 * time.Millisecond
	tests := []struct {
		name   string
		policy pipeline.RetryPolicy
	}{
		{name: "fixed", policy: pipeline.RetryPolicy{Delay: d, Jitter: 0.5}},
		{name: "exponential", policy: pipeline.RetryPolicy{Delay: d, Jitter: 0.25,
			Backoff: pipeline.BackoffExponential}},
		{name: "full jitter", policy: pipeline.RetryPolicy{Delay: d, Jitter: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for n := 1; n <= 3; n++ {
				base := tc.policy.BaseDelay(n)
				low := time.Duration(float64(base) * (1 - tc.policy.Jitter))
				shortened := false
				for range 200 {
					got := tc.policy.NextDelay(n)
					require.GreaterOrEqual(t, got, low)
					require.LessOrEqual(t, got, base)
					shortened = shortened || got < base
				}
				assert.True(t, shortened, "retry %d: jitter shortens some delays", n)
			}
		})
	}
}

func TestRetryJitterOffByDefault(t *testing.T) {
	t.Parallel()
	policy := pipeline.RetryPolicy{Delay: time.Second, Backoff: pipeline.BackoffExponential}
	for n := 1; n <= 5; n++ {
		for range 50 {
			require.Equal(t, policy.BaseDelay(n), policy.NextDelay(n))
		}
	}
}

func TestRetryJitterAppliedBySleep(t *testing.T) {
	t.Parallel()
	const d = time.Second
	rec := &sleepRecorder{}
	f := &flaky{failures: 100}
	p := newPipeline(t, pipeline.Options[testState]{Sleep: rec.sleep},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 20, Delay: d, Jitter: 0.5}}))
	_, err := p.Run(t.Context(), 1, nil)
	require.Error(t, err)
	delays := rec.list()
	require.Len(t, delays, 20)
	shortened := false
	for _, got := range delays {
		require.GreaterOrEqual(t, got, d/2)
		require.LessOrEqual(t, got, d)
		shortened = shortened || got < d
	}
	assert.True(t, shortened)
}

func TestRetryBaseDelayDoesNotOverflow(t *testing.T) {
	t.Parallel()
	policy := pipeline.RetryPolicy{Delay: time.Hour, Backoff: pipeline.BackoffExponential}
	assert.Equal(t, time.Duration(math.MaxInt64), policy.BaseDelay(200))
	policy.MaxDelay = time.Minute
	assert.Equal(t, time.Minute, policy.BaseDelay(200))
}

func TestRetryPermanentNotRetried(t *testing.T) {
	t.Parallel()
	calls := 0
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("permanent", func(context.Context, int) (int, error) {
			calls++
			return 0, pipeline.Permanent(errBoom)
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 3}}))

	_, err := p.Run(t.Context(), 1, nil)
	assert.Equal(t, 1, calls)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, 1, stageErrorOf(t, err).Attempts)
}

func TestPermanentNil(t *testing.T) {
	t.Parallel()
	assert.NoError(t, pipeline.Permanent(nil))
}

func TestRetryIf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		accept    bool
		wantCalls int
	}{
		{name: "rejected error not retried", accept: false, wantCalls: 1},
		{name: "accepted error retried", accept: true, wantCalls: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var checked []error
			f := &flaky{failures: 100}
			p := newPipeline(t, pipeline.Options[testState]{},
				pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
					Retry: pipeline.RetryPolicy{Retries: 2, RetryIf: func(err error) bool {
						checked = append(checked, err)
						return tc.accept
					}}}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)
			assert.Equal(t, tc.wantCalls, f.calls)
			require.NotEmpty(t, checked)
			assert.Same(t, f.errs[0], checked[0], "RetryIf gets the handler's error")
		})
	}
}

func TestRetryIfNotAskedForPermanent(t *testing.T) {
	t.Parallel()
	checked := 0
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("permanent", func(context.Context, int) (int, error) {
			return 0, pipeline.Permanent(errBoom)
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 2,
			RetryIf: func(error) bool { checked++; return true }}}))
	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, errBoom)
	assert.Zero(t, checked)
}

func TestRetryIfPanicRejectsError(t *testing.T) {
	t.Parallel()
	f := &flaky{failures: 5}
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 2, RetryIf: func(error) bool {
				panic("retry predicate failed")
			}}}))

	_, err := p.Run(t.Context(), 1, nil)

	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Attempts, "a panicking RetryIf stops the retries")
	assert.Same(t, f.errs[0], se.Err, "the stage fails with the handler's error")
}

func TestRetrySleepPanicFailsStage(t *testing.T) {
	t.Parallel()
	f := &flaky{failures: 5}
	p := newPipeline(t, pipeline.Options[testState]{
		Sleep: func(context.Context, time.Duration) error { panic("clock broke") },
	}, pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
		Retry: pipeline.RetryPolicy{Retries: 2, Delay: time.Second}}))

	_, err := p.Run(t.Context(), 1, nil)

	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Attempts)
	require.ErrorIs(t, err, pipeline.ErrPanic, "the sleep's panic is reported")
	require.ErrorIs(t, err, f.errs[0], "the attempt's error is kept")
}

func TestRetryCancellationNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler func(ctx context.Context, cancel context.CancelFunc) error
	}{
		{name: "handler returns ctx error", handler: func(ctx context.Context,
			cancel context.CancelFunc) error {
			cancel()
			return ctx.Err()
		}},
		{name: "handler returns own error", handler: func(_ context.Context,
			cancel context.CancelFunc) error {
			cancel()
			return errBoom
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			calls := 0
			rec := &sleepRecorder{}
			p := newPipeline(t, pipeline.Options[testState]{Sleep: rec.sleep},
				pipeline.NewStage("cancelled", func(ctx context.Context, v int) (int, error) {
					calls++
					return v, tc.handler(ctx, cancel)
				}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 5,
					Delay: time.Millisecond}}))

			_, err := p.Run(ctx, 1, nil)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, calls)
			assert.Empty(t, rec.list())
			assert.Equal(t, 1, stageErrorOf(t, err).Attempts)
		})
	}
}

func TestRetryCancelledDuringSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	f := &flaky{failures: 100}
	opts := pipeline.Options[testState]{
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			return pipeline.SleepContext(ctx, d)
		},
	}
	p := newPipeline(t, opts, pipeline.NewStage("flaky", f.handle,
		pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 5, Delay: time.Hour}}))

	_, err := p.Run(ctx, 1, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, errBoom, "the last attempt's error is kept")
	assert.Equal(t, 1, f.calls)
	assert.Equal(t, 1, stageErrorOf(t, err).Attempts)
}

func TestRetrySleepFailureKeepsAttemptError(t *testing.T) {
	t.Parallel()
	errSleep := errors.New("sleep failed")
	f := &flaky{failures: 100}
	opts := pipeline.Options[testState]{
		Sleep: func(context.Context, time.Duration) error { return errSleep },
	}
	p := newPipeline(t, opts, pipeline.NewStage("flaky", f.handle,
		pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 5, Delay: time.Hour}}))

	_, err := p.Run(t.Context(), 1, nil)
	require.ErrorIs(t, err, errSleep)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, 1, f.calls)
}

func TestSleepContext(t *testing.T) {
	t.Parallel()
	require.NoError(t, pipeline.SleepContext(t.Context(), time.Millisecond))
	require.NoError(t, pipeline.SleepContext(t.Context(), 0))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, pipeline.SleepContext(ctx, time.Hour), context.Canceled)
	require.ErrorIs(t, pipeline.SleepContext(ctx, 0), context.Canceled)
}

func TestBackoffString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "fixed", pipeline.BackoffFixed.String())
	assert.Equal(t, "exponential", pipeline.BackoffExponential.String())
	assert.Equal(t, "Backoff(9)", pipeline.Backoff(9).String())
}

func TestRetryDefaultSleepWaits(t *testing.T) {
	t.Parallel()
	const delay = 5 * time.Millisecond
	f := &flaky{failures: 1}
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("flaky", f.handle, pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 1, Delay: delay}}))
	start := time.Now()
	got, err := p.Run(t.Context(), 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, got)
	assert.GreaterOrEqual(t, time.Since(start), delay)
}
