package pipeline_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// shortTimeout is long enough for a fast handler on a loaded machine and
// short enough to keep the tests quick.
const shortTimeout = 50 * time.Millisecond

func TestTimeoutFastHandlerReturnsValue(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("fast", addOne, pipeline.StageOptions{Timeout: time.Minute}))
	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, got)
}

func TestTimeoutSlowHandlerReturnsAtDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		handler func(ctx context.Context, v int) (int, error)
	}{
		{name: "honours context", handler: blockUntilDone},
		{name: "returns own error", handler: func(ctx context.Context, _ int) (int, error) {
			<-ctx.Done()
			return 0, errBoom
		}},
		{name: "ignores context", handler: func(context.Context, int) (int, error) {
			<-release // held until the test ends, long after the deadline
			return 0, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPipeline(t, pipeline.Options[testState]{},
				pipeline.NewStage("slow", tc.handler,
					pipeline.StageOptions{Timeout: shortTimeout}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, pipeline.ErrTimeout)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			se := stageErrorOf(t, err)
			assert.Equal(t, "slow", se.Stage)
			assert.Equal(t, 1, se.Attempts)
		})
	}
}

func TestTimeoutRetriesOverrunAttempt(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("slow-once", func(ctx context.Context, v int) (int, error) {
			if calls.Add(1) == 1 {
				<-ctx.Done()
				return 0, ctx.Err()
			}
			return v * 10, nil
		}, pipeline.StageOptions{Timeout: shortTimeout,
			Retry: pipeline.RetryPolicy{Retries: 2}}))

	got, err := p.Run(t.Context(), 4, nil)
	require.NoError(t, err)
	assert.Equal(t, 40, got)
	assert.Equal(t, int32(2), calls.Load())
}

func TestTimeoutWritesBackInTime(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStateStage("write", func(_ context.Context, v int, s *testState) (int, error) {
			s.Count = v
			s.Tags = map[string]int{"v": v}
			return v, nil
		}, pipeline.StageOptions{Timeout: time.Minute}))
	state := &testState{}
	_, err := p.Run(t.Context(), 3, state)
	require.NoError(t, err)
	assert.Equal(t, 3, state.Count)
	assert.Equal(t, map[string]int{"v": 3}, state.Tags)
}

func TestTimeoutDiscardsAbandonedWrites(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	finished := make(chan struct{})
	var afterHookCount int
	opts := pipeline.Options[testState]{
		AfterStage: func(_ context.Context, _ string, _, _ any, _ error, s *testState) error {
			afterHookCount = s.Count
			return nil
		},
	}
	abandoned := func(_ context.Context, _ int, s *testState) (int, error) {
		defer close(finished)
		s.Count = 99
		<-release
		s.Count = 100
		s.Notes = append(s.Notes, "late")
		return 0, nil
	}
	p := newPipeline(t, opts, pipeline.NewStateStage("abandoned", abandoned,
		pipeline.StageOptions{Timeout: shortTimeout}))

	state := &testState{Count: 1}
	_, err := p.Run(t.Context(), 0, state)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	assert.Equal(t, 1, state.Count)
	assert.Equal(t, 1, afterHookCount)

	close(release)
	<-finished
	assert.Equal(t, 1, state.Count, "writes after the deadline are not seen either")
	assert.Empty(t, state.Notes)
}

func TestTimeoutBudgetExcludesRetrySleep(t *testing.T) {
	t.Parallel()
	const delay = 20 * time.Millisecond
	var deadlines []time.Time
	sleepHasDeadline := false
	opts := pipeline.Options[testState]{
		Sleep: func(ctx context.Context, d time.Duration) error {
			_, sleepHasDeadline = ctx.Deadline()
			return pipeline.SleepContext(ctx, d)
		},
	}
	p := newPipeline(t, opts,
		pipeline.NewStage("fail-once", func(ctx context.Context, v int) (int, error) {
			deadline, _ := ctx.Deadline()
			deadlines = append(deadlines, deadline)
			if len(deadlines) == 1 {
				return 0, errBoom
			}
			return v, nil
		}, pipeline.StageOptions{Timeout: time.Minute,
			Retry: pipeline.RetryPolicy{Retries: 1, Delay: delay}}))

	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	require.Len(t, deadlines, 2)
	assert.False(t, sleepHasDeadline, "the sleep runs outside any attempt deadline")
	assert.GreaterOrEqual(t, deadlines[1].Sub(deadlines[0]), delay,
		"the second attempt's budget starts after the sleep")
}

func TestRunWithTimeoutWritesBackInTime(t *testing.T) {
	t.Parallel()
	state := &testState{Tags: map[string]int{"a": 1}}
	var private *testState
	got, err := pipeline.RunWithTimeout(t.Context(), time.Minute, state,
		func(_ context.Context, s *testState) (any, error) {
			private = s
			s.Count = 2
			s.Tags["b"] = 2
			return "done", nil
		})
	require.NoError(t, err)
	assert.Equal(t, "done", got)
	assert.NotSame(t, state, private, "the call works on a copy")
	assert.Equal(t, 2, state.Count)
	assert.Equal(t, map[string]int{"a": 1, "b": 2}, state.Tags)
}

func TestRunWithTimeoutDiscardsOverrun(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	finished := make(chan struct{})
	state := &testState{Tags: map[string]int{"a": 1}}
	_, err := pipeline.RunWithTimeout(t.Context(), shortTimeout, state,
		func(_ context.Context, s *testState) (any, error) {
			defer close(finished)
			s.Tags["late"] = 1
			<-release
			return nil, nil
		})
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	close(release)
	<-finished
	assert.Equal(t, map[string]int{"a": 1}, state.Tags)
}

func TestRunWithTimeoutReturnsCallerCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	_, err := pipeline.RunWithTimeout(ctx, time.Minute, &testState{},
		func(ctx context.Context, _ *testState) (any, error) {
			cancel()
			<-ctx.Done()
			return nil, ctx.Err()
		})
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, pipeline.ErrTimeout)
}

func TestRunWithTimeoutRejectsUnserializableState(t *testing.T) {
	t.Parallel()
	_, err := pipeline.RunWithTimeout(t.Context(), time.Minute, &chanState{},
		func(context.Context, *chanState) (any, error) { return nil, nil })
	require.ErrorIs(t, err, pipeline.ErrStateNotSerializable)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
}

// skippedState has a field that JSON skips, so the timeout copy loses it.
type skippedState struct {
	Count int
	Cache map[string]int `json:"-"`
}

func TestTimeoutResetsFieldsJSONSkips(t *testing.T) {
	t.Parallel()
	count := func(_ context.Context, v int, s *skippedState) (int, error) {
		s.Count++
		return v, nil
	}
	p, err := pipeline.New[int, int]("skipped", pipeline.Options[skippedState]{},
		pipeline.NewStateStage("count", count, pipeline.StageOptions{Timeout: time.Minute}))
	require.NoError(t, err)

	state := &skippedState{Cache: map[string]int{"a": 1}}
	_, err = p.Run(t.Context(), 1, state)
	require.NoError(t, err)
	assert.Equal(t, 1, state.Count)
	assert.Nil(t, state.Cache, "the copy keeps only what JSON encodes")
}

func TestTimeoutHandlerGoexitFailsStage(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("goexit", func(context.Context, int) (int, error) {
			runtime.Goexit()
			return 1, nil
		}, pipeline.StageOptions{Timeout: time.Minute}))

	got, err := p.Run(t.Context(), 1, nil)
	require.ErrorContains(t, err, "runtime.Goexit")
	assert.NotErrorIs(t, err, pipeline.ErrTimeout)
	assert.Zero(t, got)
	se := stageErrorOf(t, err)
	assert.Equal(t, "goexit", se.Stage)
	assert.Equal(t, 1, se.Attempts)
}

func TestRunWithTimeoutGoexitIsError(t *testing.T) {
	t.Parallel()
	var state testState
	got, err := pipeline.RunWithTimeout(t.Context(), time.Minute, &state,
		func(context.Context, *testState) (any, error) {
			runtime.Goexit()
			return "unreachable", nil
		})
	require.ErrorContains(t, err, "runtime.Goexit")
	assert.Nil(t, got)
}
