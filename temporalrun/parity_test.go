package temporalrun_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// The tests in this file run the same pipelines in-process and on Temporal
// (in test workflow environments) and require the same outputs, final run
// states, handler calls and error shapes.

// hookOptions returns pipeline options whose hooks record each stage in the
// run state, so that the final state also shows when the hooks ran.
func hookOptions() pipeline.Options[runState] {
	return pipeline.Options[runState]{
		BeforeStage: func(_ context.Context, stage string, _ any, s *runState) error {
			s.Visits = append(s.Visits, "before "+stage)
			return nil
		},
		AfterStage: func(_ context.Context, stage string, _, _ any, err error, s *runState) error {
			s.Visits = append(s.Visits, fmt.Sprintf("after %s failed=%t", stage, err != nil))
			return nil
		},
	}
}

func noOptions() pipeline.Options[runState] { return pipeline.Options[runState]{} }

// copyState returns a deep copy of s.
func copyState(t *testing.T, s runState) runState {
	t.Helper()
	data, err := json.Marshal(s)
	require.NoError(t, err)
	var out runState
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

func TestParityRun(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	retry := func(retries int) pipeline.StageOptions {
		return pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: retries,
			Delay: time.Millisecond, Backoff: pipeline.BackoffExponential}}
	}
	tests := []struct {
		name   string
		stages func(c *calls) []pipeline.Stage
		opts   func() pipeline.Options[runState]
		state  runState
	}{
		{name: "plain success", opts: noOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{addStage(c, "add", 1, pipeline.StageOptions{}),
					pipeline.NewStage("double", func(_ context.Context, v int) (int, error) {
						return 2 * v, nil
					}, pipeline.StageOptions{})}
			}},
		{name: "state writes", opts: hookOptions,
			state: runState{Visits: []string{"caller"}, Tries: map[string]int{"earlier": 4}},
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{addStage(c, "first", 1, pipeline.StageOptions{}),
					addStage(c, "second", 10, pipeline.StageOptions{})}
			}},
		{name: "retries that recover", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{addStage(c, "add", 1, pipeline.StageOptions{}),
					flakyStage(c, "flaky", 2, retry(2))}
			}},
		{name: "retries exhausted", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{flakyStage(c, "flaky", 5, retry(2)),
					addStage(c, "never", 1, pipeline.StageOptions{})}
			}},
		{name: "permanent error", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{failOnStage(c, "check", 1, retry(3))}
			}},
		{name: "retry rejected by RetryIf", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				opts := retry(3)
				opts.Retry.RetryIf = func(error) bool { return false }
				return []pipeline.Stage{flakyStage(c, "flaky", 5, opts)}
			}},
		{name: "stage timeout", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				opts := retry(1)
				opts.Timeout = 20 * time.Millisecond
				return []pipeline.Stage{blockStage(c, "slow", release, opts)}
			}},
		{name: "error whose Error method panics", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{nilErrorStage(c, "typed-nil")}
			}},
		{name: "handler panic", opts: hookOptions,
			stages: func(c *calls) []pipeline.Stage {
				return []pipeline.Stage{addStage(c, "add", 1, pipeline.StageOptions{}),
					panicStage(c, "explode")}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var local, remote calls
			p := newPipeline(t, "parity", tt.opts(), tt.stages(&local)...)
			wantState := copyState(t, tt.state)
			want, wantErr := p.Run(t.Context(), 1, &wantState)

			tp := newTemporal(t, newPipeline(t, "parity", tt.opts(), tt.stages(&remote)...),
				temporalrun.Options{})
			gotState := copyState(t, tt.state)
			got, gotErr := tp.Run(t.Context(), newEnvClient(t, tp),
				client.StartWorkflowOptions{}, 1, &gotState)

			require.Equal(t, want, got, "output")
			require.Equal(t, wantState, gotState, "final run state")
			require.Equal(t, local.all(), remote.all(), "handler calls per stage")
			require.Equal(t, shapeOf(wantErr), shapeOf(gotErr), "error shape")
		})
	}
}

func TestParityMap(t *testing.T) {
	t.Parallel()
	stages := func(c *calls) []pipeline.Stage {
		return []pipeline.Stage{addStage(c, "add", 1, pipeline.StageOptions{}),
			failOnStage(c, "check", 3, pipeline.StageOptions{})}
	}
	tests := []struct {
		name    string
		items   []int
		settled bool
	}{
		{name: "fail-fast with a failing item", items: []int{1, 2, 3, 4}},
		{name: "settled with a failing item", items: []int{1, 2, 3, 4}, settled: true},
		{name: "fail-fast success", items: []int{3, 4, 5}},
		{name: "settled success", items: []int{3, 4, 5}, settled: true},
		{name: "fail-fast empty input", items: []int{}},
		{name: "settled empty input", items: nil, settled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var local, remote calls
			p := newPipeline(t, "parity", hookOptions(), stages(&local)...)
			tp := newTemporal(t, newPipeline(t, "parity", hookOptions(), stages(&remote)...),
				temporalrun.Options{})
			c := newEnvClient(t, tp)
			state := runState{Visits: []string{"template"}}
			wantState := copyState(t, state)
			gotState := copyState(t, state)

			if tt.settled {
				want, wantErr := p.MapSettled(t.Context(), tt.items, 2, &wantState)
				got, gotErr := tp.MapSettled(t.Context(), c, client.StartWorkflowOptions{},
					tt.items, 2, &gotState)
				require.NoError(t, wantErr)
				require.NoError(t, gotErr)
				requireSameResults(t, want, got)
			} else {
				want, wantErr := p.Map(t.Context(), tt.items, 2, &wantState)
				got, gotErr := tp.Map(t.Context(), c, client.StartWorkflowOptions{}, tt.items, 2,
					&gotState)
				require.Equal(t, want, got, "outputs")
				requireSameMapError(t, wantErr, gotErr)
			}
			require.Equal(t, state, wantState, "caller's state, in-process")
			require.Equal(t, state, gotState, "caller's state, on Temporal")
		})
	}
}

// requireSameResults requires settled Map results with the same outputs,
// run states and error shapes, item by item.
func requireSameResults(t *testing.T, want, got []pipeline.ItemResult[int, runState]) {
	t.Helper()
	require.Len(t, got, len(want))
	require.NotNil(t, got, "results of empty input")
	for i := range want {
		require.Equal(t, want[i].Value, got[i].Value, "item %d output", i)
		require.Equal(t, want[i].State, got[i].State, "item %d state", i)
		require.Equal(t, shapeOf(want[i].Err), shapeOf(got[i].Err), "item %d error", i)
	}
}

// requireSameMapError requires fail-fast Map errors listing the same items
// with the same error shapes.
func requireSameMapError(t *testing.T, want, got error) {
	t.Helper()
	if want == nil {
		require.NoError(t, got)
		return
	}
	var wantMap, gotMap *pipeline.MapError
	require.ErrorAs(t, want, &wantMap)
	require.ErrorAs(t, got, &gotMap)
	require.Len(t, gotMap.Items, len(wantMap.Items))
	for i := range wantMap.Items {
		require.Equal(t, wantMap.Items[i].Index, gotMap.Items[i].Index, "failed item %d", i)
		require.Equal(t, shapeOf(wantMap.Items[i].Err), shapeOf(gotMap.Items[i].Err),
			"failed item %d error", i)
	}
}
