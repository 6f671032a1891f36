package temporalrun_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

func TestAttemptCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stage    pipeline.StageOptions
		temporal map[string]temporalrun.StageOptions
		want     int
	}{
		{name: "zero-value stage options", want: 1},
		{name: "retries 0", stage: pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 0}},
			want: 1},
		{name: "retries 2", stage: pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 2}},
			want: 3},
		{name: "zero-value Temporal stage options",
			temporal: map[string]temporalrun.StageOptions{"flaky": {}}, want: 1},
		{name: "retries 2 with zero-value Temporal stage options",
			stage:    pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 2}},
			temporal: map[string]temporalrun.StageOptions{"flaky": {}}, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var local, remote calls
			p := newPipeline(t, "attempts", pipeline.Options[runState]{},
				flakyStage(&local, "flaky", 100, tt.stage))
			_, wantErr := p.Run(t.Context(), 1, nil)

			tp := newTemporal(t, newPipeline(t, "attempts", pipeline.Options[runState]{},
				flakyStage(&remote, "flaky", 100, tt.stage)),
				temporalrun.Options{Stages: tt.temporal})
			_, gotErr := tp.Run(t.Context(), newEnvClient(t, tp), client.StartWorkflowOptions{},
				1, nil)

			var wantStage, gotStage *pipeline.StageError
			require.ErrorAs(t, wantErr, &wantStage)
			require.ErrorAs(t, gotErr, &gotStage)
			require.Equal(t, tt.want, wantStage.Attempts, "in-process attempts")
			require.Equal(t, tt.want, gotStage.Attempts, "Temporal attempts")
			require.Equal(t, tt.want, local.get("flaky"), "in-process handler calls")
			require.Equal(t, tt.want, remote.get("flaky"), "Temporal handler calls")
		})
	}
}

func TestRetryDelays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		retry     pipeline.RetryPolicy
		want      []time.Duration // between attempts on Temporal
		zeroDelay bool            // in-process, no sleep at all
	}{
		{name: "fixed", retry: pipeline.RetryPolicy{Retries: 3, Delay: time.Second},
			want: []time.Duration{time.Second, time.Second, time.Second}},
		{name: "exponential", retry: pipeline.RetryPolicy{Retries: 3, Delay: time.Second,
			Backoff: pipeline.BackoffExponential},
			want: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{name: "exponential capped by MaxDelay", retry: pipeline.RetryPolicy{Retries: 4,
			Delay: time.Second, Backoff: pipeline.BackoffExponential, MaxDelay: 3 * time.Second},
			want: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
		{name: "MaxDelay below Delay", retry: pipeline.RetryPolicy{Retries: 2,
			Delay: time.Minute, MaxDelay: 10 * time.Second},
			want: []time.Duration{10 * time.Second, 10 * time.Second}},
		{name: "zero delay becomes the minimum interval", retry: pipeline.RetryPolicy{Retries: 2,
			Backoff: pipeline.BackoffExponential}, zeroDelay: true,
			want: []time.Duration{temporalrun.MinRetryInterval, temporalrun.MinRetryInterval}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stage := pipeline.StageOptions{Retry: tt.retry}
			if tt.zeroDelay {
				require.Empty(t, inProcessDelays(t, stage), "in-process delays")
			} else {
				require.Equal(t, tt.want, inProcessDelays(t, stage), "in-process delays")
			}
			require.Equal(t, tt.want, temporalDelays(t, stage), "Temporal delays")
		})
	}
}

func TestRetryDelaysWithJitter(t *testing.T) {
	t.Parallel()
	retry := pipeline.RetryPolicy{Retries: 5, Delay: 10 * time.Second, Jitter: 0.5}
	delays := temporalDelays(t, pipeline.StageOptions{Retry: retry})
	require.Len(t, delays, 5)
	for i, d := range delays {
		require.LessOrEqual(t, d, 10*time.Second, "delay %d", i)
		require.GreaterOrEqual(t, d, 5*time.Second, "delay %d", i)
	}
}

// inProcessDelays returns the delays that the in-process retry loop sleeps
// for a stage that always fails; zero delays are not slept.
func inProcessDelays(t *testing.T, stage pipeline.StageOptions) []time.Duration {
	t.Helper()
	var slept []time.Duration
	opts := pipeline.Options[runState]{Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}}
	_, err := newPipeline(t, "delays", opts, flakyStage(&calls{}, "flaky", 100, stage)).
		Run(t.Context(), 1, nil)
	require.Error(t, err)
	return slept
}

// temporalDelays returns the time between the attempts of a stage that
// always fails, on the test environment's clock.
func temporalDelays(t *testing.T, stage pipeline.StageOptions) []time.Duration {
	t.Helper()
	tp := newTemporal(t, newPipeline(t, "delays", pipeline.Options[runState]{},
		flakyStage(&calls{}, "flaky", 100, stage)), temporalrun.Options{})
	c := newEnvClient(t, tp)
	var mu sync.Mutex
	var starts []time.Time
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnActivityStartedListener(
			func(*activity.Info, context.Context, converter.EncodedValues) {
				mu.Lock()
				defer mu.Unlock()
				starts = append(starts, env.Now())
			})
	}
	_, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{}, 1, nil)
	require.Error(t, err)

	mu.Lock()
	defer mu.Unlock()
	var delays []time.Duration
	for i := 1; i < len(starts); i++ {
		delays = append(delays, starts[i].Sub(starts[i-1]))
	}
	return delays
}
