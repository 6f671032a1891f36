package temporalrun_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// onInput returns a stage that calls fn for input v and adds one to any
// other input.
func onInput(name string, v int, opts pipeline.StageOptions,
	fn func(ctx context.Context) error) pipeline.Stage {
	return pipeline.NewStage(name, func(ctx context.Context, in int) (int, error) {
		if in == v {
			if err := fn(ctx); err != nil {
				return 0, err
			}
		}
		return in + 1, nil
	}, opts)
}

func TestMapProgress(t *testing.T) {
	t.Parallel()
	var failed atomic.Bool
	retry := pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1, Delay: time.Minute}}
	tp := newTemporal(t, newPipeline(t, "progress", pipeline.Options[runState]{},
		onInput("slow", 2, retry, func(context.Context) error {
			if failed.CompareAndSwap(false, true) {
				return errFlaky // the retry waits a minute on the test clock
			}
			return nil
		})), temporalrun.Options{})
	c := newEnvClient(t, tp)
	var during temporalrun.Progress
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			value, err := env.QueryWorkflow(temporalrun.ProgressQuery)
			require.NoError(t, err)
			require.NoError(t, value.Get(&during))
		}, 30*time.Second)
	}

	h, err := tp.StartMap(t.Context(), c, client.StartWorkflowOptions{}, []int{1, 2, 3},
		temporalrun.MapOptions[runState]{Concurrency: 1})
	require.NoError(t, err)
	results, err := h.Get(t.Context())
	require.NoError(t, err)
	require.Len(t, results, 3)
	require.Equal(t, temporalrun.Progress{Total: 3, Done: 1}, during, "while item 1 waits to retry")
	after, err := h.Progress(t.Context())
	require.NoError(t, err)
	require.Equal(t, temporalrun.Progress{Total: 3, Done: 3}, after, "after the run")
}

func TestMapProgressCountsFailures(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "progress", pipeline.Options[runState]{},
		failOnStage(&calls{}, "check", 2, pipeline.StageOptions{})), temporalrun.Options{})
	c := newEnvClient(t, tp)

	h, err := tp.StartMap(t.Context(), c, client.StartWorkflowOptions{ID: "map-1"},
		[]int{1, 2, 3}, temporalrun.MapOptions[runState]{Settled: true})
	require.NoError(t, err)
	attached := temporalrun.AttachMap(tp, c, "map-1", "")
	results, err := attached.Get(t.Context())
	require.NoError(t, err)
	require.Len(t, results, 3)
	require.ErrorIs(t, results[1].Err, pipeline.ErrPermanent)
	progress, err := attached.Progress(t.Context())
	require.NoError(t, err)
	require.Equal(t, temporalrun.Progress{Total: 3, Done: 3, Failed: 1}, progress)
	require.Equal(t, h.ID(), attached.ID())
}

func TestMapConcurrencyBound(t *testing.T) {
	t.Parallel()
	const concurrency = 2
	// Every item's first attempt fails and is retried a minute later on the
	// test clock, so each item holds its place in the bound for a minute
	// and the items start in waves.
	var failed sync.Map
	retry := pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1, Delay: time.Minute}}
	stage := pipeline.NewStage("retry", func(_ context.Context, v int) (int, error) {
		if _, seen := failed.LoadOrStore(v, true); !seen {
			return 0, errFlaky
		}
		return v, nil
	}, retry)
	tp := newTemporal(t, newPipeline(t, "bound", pipeline.Options[runState]{}, stage),
		temporalrun.Options{})
	c := newEnvClient(t, tp)
	started := map[time.Duration]int{} // first attempts per start time
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		begin := env.Now()
		env.SetOnActivityStartedListener(
			func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				if info.Attempt == 1 {
					started[env.Now().Sub(begin)]++
				}
			})
	}

	outs, err := tp.Map(t.Context(), c, client.StartWorkflowOptions{},
		[]int{1, 2, 3, 4, 5, 6}, concurrency, nil)
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3, 4, 5, 6}, outs)
	require.Equal(t, map[time.Duration]int{0: 2, time.Minute: 2, 2 * time.Minute: 2}, started,
		"items started per minute")
}

func TestMapFailFastCancelsRunningItems(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	blocked := pipeline.NewStage("block", func(ctx context.Context, v int) (int, error) {
		if v == 1 {
			select { // item 0 runs until it is cancelled or the test ends
			case <-ctx.Done():
			case <-release:
			}
		}
		return v, ctx.Err()
	}, pipeline.StageOptions{})
	tp := newTemporal(t, newPipeline(t, "failfast", pipeline.Options[runState]{},
		blocked, failOnStage(&calls{}, "check", 2, pipeline.StageOptions{})), temporalrun.Options{})
	c := newEnvClient(t, tp)
	var cancelled []string
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnActivityCanceledListener(func(info *activity.Info) {
			cancelled = append(cancelled, info.ActivityType.Name)
		})
	}

	_, err := tp.Map(t.Context(), c, client.StartWorkflowOptions{}, []int{1, 2, 3}, 3, nil)
	var mapErr *pipeline.MapError
	require.ErrorAs(t, err, &mapErr)
	require.Len(t, mapErr.Items, 1, "only the item that failed on its own")
	require.Equal(t, 1, mapErr.Items[0].Index)
	require.ErrorIs(t, mapErr.Items[0], pipeline.ErrPermanent)
	require.Contains(t, cancelled, tp.ActivityName("block"), "running activity cancelled")
}

func TestMapCancelledSettled(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tp := newTemporal(t, newPipeline(t, "cancel", pipeline.Options[runState]{},
		onInput("wait", 2, pipeline.StageOptions{}, func(ctx context.Context) error {
			select {
			case <-ctx.Done():
			case <-release:
			}
			return ctx.Err()
		})), temporalrun.Options{})
	c := newEnvClient(t, tp)
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnActivityStartedListener(
			func(_ *activity.Info, _ context.Context, args converter.EncodedValues) {
				var req struct{ Input int }
				if args.Get(&req) == nil && req.Input == 2 {
					env.CancelWorkflow()
				}
			})
	}

	results, err := tp.MapSettled(t.Context(), c, client.StartWorkflowOptions{},
		[]int{1, 2, 3}, 1, nil)
	require.NoError(t, err)
	require.Len(t, results, 3)
	require.NoError(t, results[0].Err)
	require.Equal(t, 2, results[0].Value)
	var se *pipeline.StageError
	require.ErrorAs(t, results[1].Err, &se, "the running item fails its stage")
	require.Equal(t, "wait", se.Stage)
	require.ErrorIs(t, results[1].Err, context.Canceled)
	require.ErrorIs(t, results[2].Err, context.Canceled, "the item never started")
	require.False(t, errors.As(results[2].Err, &se), "no stage for an item never started")
}

// startRecorder is a client whose ExecuteWorkflow only counts its calls.
type startRecorder struct {
	client.Client
	starts int
}

var errNotStarted = errors.New("test client starts nothing")

func (r *startRecorder) ExecuteWorkflow(
	context.Context, client.StartWorkflowOptions, any, ...any,
) (client.WorkflowRun, error) {
	r.starts++
	return nil, errNotStarted
}

// manyStages returns n stages that add one.
func manyStages(n int) []pipeline.Stage {
	stages := make([]pipeline.Stage, n)
	for i := range stages {
		stages[i] = addStage(&calls{}, fmt.Sprintf("s%d", i), 1, pipeline.StageOptions{})
	}
	return stages
}

func TestMapLimits(t *testing.T) {
	t.Parallel()
	small := newTemporal(t, newPipeline(t, "small", pipeline.Options[runState]{}, manyStages(2)...),
		temporalrun.Options{MaxConcurrency: 5})
	long := newTemporal(t, newPipeline(t, "long", pipeline.Options[runState]{},
		manyStages(800)...), temporalrun.Options{})
	fits := long.MaxMapItems(temporalrun.DefaultMapConcurrency)
	tests := []struct {
		name    string
		p       *temporalrun.Pipeline[int, int, runState]
		items   int
		mo      temporalrun.MapOptions[runState]
		wantErr error
	}{
		{name: "negative concurrency", p: small, items: 1,
			mo:      temporalrun.MapOptions[runState]{Concurrency: -1},
			wantErr: pipeline.ErrInvalidConcurrency},
		{name: "concurrency above the cap", p: small, items: 1,
			mo:      temporalrun.MapOptions[runState]{Concurrency: 6},
			wantErr: temporalrun.ErrConcurrencyTooHigh},
		{name: "zero concurrency within a low cap", p: small, items: 1, wantErr: errNotStarted},
		{name: "history too large", p: long, items: fits + 1, wantErr: temporalrun.ErrMapTooLarge},
		{name: "largest batch that fits", p: long, items: fits, wantErr: errNotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &startRecorder{}
			_, err := tt.p.StartMap(t.Context(), c, client.StartWorkflowOptions{},
				make([]int, tt.items), tt.mo)
			require.ErrorIs(t, err, tt.wantErr)
			if !errors.Is(err, errNotStarted) {
				require.Zero(t, c.starts, "rejected before starting")
			}
		})
	}
}

func TestMapLimitErrorSaysWhatToDo(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "long", pipeline.Options[runState]{}, manyStages(800)...),
		temporalrun.Options{})
	fits := tp.MaxMapItems(4)

	_, err := tp.Map(t.Context(), &startRecorder{}, client.StartWorkflowOptions{},
		make([]int, fits+1), 4, nil)
	var limit *temporalrun.LimitError
	require.ErrorAs(t, err, &limit)
	require.Equal(t, temporalrun.MaxHistoryEvents, limit.Max)
	require.Greater(t, limit.Value, limit.Max)
	require.Contains(t, limit.Fix, fmt.Sprintf("batches of at most %d", fits))
}

func TestMapRejectsZeroConcurrency(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "zero", pipeline.Options[runState]{}, manyStages(1)...),
		temporalrun.Options{})
	c := &startRecorder{}

	_, err := tp.Map(t.Context(), c, client.StartWorkflowOptions{}, []int{}, 0, nil)
	require.ErrorIs(t, err, pipeline.ErrInvalidConcurrency)
	_, err = tp.MapSettled(t.Context(), c, client.StartWorkflowOptions{}, []int{1}, 0, nil)
	require.ErrorIs(t, err, pipeline.ErrInvalidConcurrency)
	require.Zero(t, c.starts)
}

func TestMapEmptyInput(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "empty", pipeline.Options[runState]{}, manyStages(1)...),
		temporalrun.Options{})
	c := newEnvClient(t, tp)

	outs, err := tp.Map(t.Context(), c, client.StartWorkflowOptions{}, nil, 2, nil)
	require.NoError(t, err)
	require.Equal(t, []int{}, outs)
	require.Zero(t, c.startCount(), "Map starts no workflow for empty input")

	h, err := tp.StartMap(t.Context(), c, client.StartWorkflowOptions{}, nil,
		temporalrun.MapOptions[runState]{})
	require.NoError(t, err)
	results, err := h.Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, []pipeline.ItemResult[int, runState]{}, results, "the workflow returns none")
}

func TestWorkflowInputByHand(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "hand", pipeline.Options[runState]{}, manyStages(2)...),
		temporalrun.Options{})
	tests := []struct {
		name     string
		workflow string
		input    any
		wantType string
		wantErr  error
	}{
		{name: "run with input only", workflow: tp.WorkflowName(),
			input: map[string]any{"input": 40}},
		{name: "map with items", workflow: tp.MapWorkflowName(),
			input: map[string]any{"items": []int{1, 2}, "concurrency": 2}},
		{name: "map without concurrency", workflow: tp.MapWorkflowName(),
			input: map[string]any{"items": []int{1}}, wantType: "InvalidRequest"},
		{name: "run with the wrong input type", workflow: tp.WorkflowName(),
			input: map[string]any{"input": "forty"}, wantType: "StageError",
			wantErr: temporalrun.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, nil, tp)
			env.ExecuteWorkflow(tt.workflow, tt.input)
			err := env.GetWorkflowError()
			if tt.wantType == "" {
				require.NoError(t, err)
				return
			}
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app)
			require.Equal(t, tt.wantType, app.Type())
			require.True(t, app.NonRetryable(), "not retried by a workflow retry policy")
			if tt.wantErr != nil {
				require.ErrorIs(t, temporalrun.DecodeError(err, nil), tt.wantErr)
			}
		})
	}
}
