package middleware_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Timing must accept a state that embeds Timings.
var _ middleware.TimingRecorder = (*runState)(nil)

func timingPipeline(t *testing.T, stages ...pipeline.Stage) *pipeline.Pipeline[int, int, runState] {
	t.Helper()
	return newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{middleware.Timing[runState]()},
	}, stages...)
}

func TestTimingRecordsEachCall(t *testing.T) {
	const work = 2 * time.Millisecond
	slow := func(_ context.Context, v int) (int, error) {
		time.Sleep(work) // simulates work of a known length
		return v, nil
	}
	p := timingPipeline(t,
		pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("slow", slow, pipeline.StageOptions{}))

	var state runState
	for range 2 {
		_, err := p.Run(t.Context(), 1, &state)
		require.NoError(t, err)
	}

	require.Len(t, state.Timings, 2)
	require.Len(t, state.Timings["add_one"], 2)
	require.Len(t, state.Timings["slow"], 2)
	for _, d := range state.Timings["slow"] {
		assert.GreaterOrEqual(t, d, work)
	}
	for _, d := range state.Timings["add_one"] {
		assert.GreaterOrEqual(t, d, time.Duration(0))
	}
}

func TestTimingRecordsFailures(t *testing.T) {
	p := timingPipeline(t, pipeline.NewStage("fail", failing(errBoom), pipeline.StageOptions{}))

	var state runState
	_, err := p.Run(t.Context(), 1, &state)
	require.ErrorIs(t, err, errBoom)

	require.Len(t, state.Timings["fail"], 1)
}

func TestTimingSharedStageName(t *testing.T) {
	first := timingPipeline(t, pipeline.NewStage("x", addOne, pipeline.StageOptions{}))
	second := timingPipeline(t, pipeline.NewStage("x", double, pipeline.StageOptions{}))

	var state runState
	_, err := first.Run(t.Context(), 1, &state)
	require.NoError(t, err)
	_, err = second.Run(t.Context(), 1, &state)
	require.NoError(t, err)

	require.Len(t, state.Timings["x"], 2)
}

func TestTimingCoversStageRetries(t *testing.T) {
	counter := &callCounter{failures: 2}
	p := timingPipeline(t, pipeline.NewStage("flaky", counter.handle, pipeline.StageOptions{
		Retry: pipeline.RetryPolicy{Retries: 2},
	}))

	var state runState
	_, err := p.Run(t.Context(), 1, &state)
	require.NoError(t, err)

	assert.Equal(t, 3, counter.count())
	require.Len(t, state.Timings["flaky"], 1, "one entry per stage call, not per attempt")
}

func TestTimingStateStaysJSON(t *testing.T) {
	state := runState{Count: 3}
	state.RecordTiming("a", time.Second)
	state.RecordTiming("a", 2*time.Millisecond)

	data, err := json.Marshal(state)
	require.NoError(t, err)
	assert.JSONEq(t, `{"timings":{"a":[1000000000,2000000]},"count":3}`, string(data))

	var decoded runState
	require.NoError(t, json.Unmarshal(data, &decoded))
	require.Equal(t, state, decoded)
}

func TestTimingUnderMap(t *testing.T) {
	p := timingPipeline(t,
		pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	var template runState
	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 2, &template)
	require.NoError(t, err)

	require.Nil(t, template.Timings, "Map must not write to the caller's state")
	require.Len(t, results, 3)
	for i, r := range results {
		require.NoError(t, r.Err, "item %d", i)
		assert.Len(t, r.State.Timings["add_one"], 1, "item %d", i)
		assert.Len(t, r.State.Timings["double"], 1, "item %d", i)
	}
}

func TestTimingWithHooks(t *testing.T) {
	var (
		mu     sync.Mutex
		events []string
		seen   = map[string]int{}
	)
	record := func(event string, state *runState, stage string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, event+" "+stage)
		seen[event+" "+stage] = len(state.Timings[stage])
	}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		BeforeStage: func(_ context.Context, stage string, _ any, state *runState) error {
			record("before", state, stage)
			return nil
		},
		AfterStage: func(_ context.Context, stage string, _, _ any, _ error, state *runState) error {
			record("after", state, stage)
			return nil
		},
		Middleware: []pipeline.Middleware[runState]{middleware.Timing[runState]()},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	var state runState
	_, err := p.Run(t.Context(), 1, &state)
	require.NoError(t, err)

	require.Equal(t, []string{
		"before add_one", "after add_one", "before double", "after double",
	}, events)
	assert.Equal(t, 0, seen["before add_one"])
	assert.Equal(t, 1, seen["after add_one"])
	assert.Equal(t, 1, seen["after double"])
	assert.Len(t, state.Timings["add_one"], 1)
	assert.Len(t, state.Timings["double"], 1)
}

func TestTimingsRecordTimingOnZeroValue(t *testing.T) {
	var timings middleware.Timings
	timings.RecordTiming("a", time.Millisecond)
	timings.RecordTiming("b", 2*time.Millisecond)
	timings.RecordTiming("a", 3*time.Millisecond)

	require.Equal(t, middleware.Timings{
		"a": {time.Millisecond, 3 * time.Millisecond},
		"b": {2 * time.Millisecond},
	}, timings)
}
