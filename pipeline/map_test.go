package pipeline_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func TestMapKeepsInputOrder(t *testing.T) {
	t.Parallel()
	const n = 4
	var gates, finished [n]chan struct{}
	for i := range n {
		gates[i] = make(chan struct{})
		finished[i] = make(chan struct{})
	}
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("gated", func(_ context.Context, v int) (int, error) {
			defer close(finished[v])
			<-gates[v]
			return v * 10, nil
		}, pipeline.StageOptions{}))

	go func() { // finish the items last to first
		for i := n - 1; i >= 0; i-- {
			close(gates[i])
			<-finished[i]
		}
	}()
	got, err := p.Map(t.Context(), []int{0, 1, 2, 3}, n, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 10, 20, 30}, got)
}

func TestMapBoundsConcurrency(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int32
	started := make(chan struct{}, 6)
	release := make(chan struct{})
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("tracked", func(_ context.Context, v int) (int, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); {
				m = maxInFlight.Load()
			}
			started <- struct{}{}
			<-release
			return v, nil
		}, pipeline.StageOptions{}))

	go func() {
		<-started
		<-started // two items are in flight; let all of them run
		close(release)
	}()
	got, err := p.Map(t.Context(), []int{1, 2, 3, 4, 5, 6}, 2, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6}, got)
	assert.Equal(t, int32(2), maxInFlight.Load())
}

func TestMapRejectsInvalidConcurrency(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	for _, concurrency := range []int{0, -1} {
		for _, items := range [][]int{nil, {}, {1, 2}} {
			name := fmt.Sprintf("concurrency %d with %d items", concurrency, len(items))
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				got, err := p.Map(t.Context(), items, concurrency, nil)
				require.ErrorIs(t, err, pipeline.ErrInvalidConcurrency)
				assert.Nil(t, got)
				var cfg *pipeline.ConfigError
				require.ErrorAs(t, err, &cfg)
				assert.Equal(t, "concurrency", cfg.Field)
				assert.Equal(t, fmt.Sprintf("%d, must be at least 1", concurrency), cfg.Detail)

				results, err := p.MapSettled(t.Context(), items, concurrency, nil)
				require.ErrorIs(t, err, pipeline.ErrInvalidConcurrency)
				assert.Nil(t, results)
			})
		}
	}
}

func TestMapEmptyInput(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	got, err := p.Map(t.Context(), []int{}, 3, nil)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)

	results, err := p.MapSettled(t.Context(), nil, 3, nil)
	require.NoError(t, err)
	assert.Empty(t, results)
}

func TestMapFailFastStopsStartingItems(t *testing.T) {
	t.Parallel()
	log := &eventLog{}
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("fail-on-one", func(_ context.Context, v int) (int, error) {
			log.add(fmt.Sprint(v))
			if v == 1 {
				return 0, errBoom
			}
			return v, nil
		}, pipeline.StageOptions{}))

	got, err := p.Map(t.Context(), []int{0, 1, 2, 3, 4}, 1, nil)
	assert.Nil(t, got)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1)
	assert.Equal(t, 1, me.Items[0].Index)
	assert.Equal(t, "fail-on-one", stageErrorOf(t, me.Items[0].Err).Stage)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []string{"0", "1"}, log.list(), "no item starts after the failure")
}

func TestMapFailFastCancelsRunningItems(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 2)
	var cancelled atomic.Int32
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("block-or-fail", func(ctx context.Context, v int) (int, error) {
			if v == 1 {
				<-started
				<-started // the items around this one are running
				return 0, errBoom
			}
			started <- struct{}{}
			<-ctx.Done()
			if ctx.Err() == context.Canceled {
				cancelled.Add(1)
			}
			return 0, ctx.Err()
		}, pipeline.StageOptions{}))

	_, err := p.Map(t.Context(), []int{0, 1, 2}, 3, nil)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1, "cancelled items are not failures")
	assert.Equal(t, 1, me.Items[0].Index)
	assert.Equal(t, int32(2), cancelled.Load())
}

func TestMapFailFastListsFailuresInInputOrder(t *testing.T) {
	t.Parallel()
	firstFailed := make(chan struct{})
	opts := pipeline.Options[testState]{
		// Item 0 fails first but is recorded last: its after hook waits
		// until item 1's failure has stopped the Map.
		AfterStage: func(ctx context.Context, _ string, input, _ any, err error,
			_ *testState) error {
			if input == 0 && err != nil {
				close(firstFailed)
				<-ctx.Done()
			}
			return nil
		},
	}
	p := newPipeline(t, opts,
		pipeline.NewStage("fail", func(_ context.Context, v int) (int, error) {
			if v == 1 {
				<-firstFailed
			}
			return 0, fmt.Errorf("item %d: %w", v, errBoom)
		}, pipeline.StageOptions{}))

	_, err := p.Map(t.Context(), []int{0, 1}, 2, nil)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 2)
	assert.Equal(t, 0, me.Items[0].Index)
	assert.Equal(t, 1, me.Items[1].Index)
}

func TestMapFailFastReportsOwnCancelError(t *testing.T) {
	t.Parallel()
	// A failure whose own error wraps context.Canceled is still a failure
	// when it is the one that stops the Map.
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("fetch", func(context.Context, int) (int, error) {
			return 0, fmt.Errorf("fetch: %w", context.Canceled)
		}, pipeline.StageOptions{}))

	got, err := p.Map(t.Context(), []int{0, 1, 2}, 1, nil)
	assert.Nil(t, got)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1)
	assert.Equal(t, 0, me.Items[0].Index)
}

func TestMapSettledReturnsEveryItem(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStateStage("count", func(_ context.Context, v int, s *testState) (int, error) {
			s.Count += v
			if v == 2 {
				return 0, errBoom
			}
			return v * 10, nil
		}, pipeline.StageOptions{}))

	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 2, &testState{Count: 100})
	require.NoError(t, err)
	require.Len(t, results, 3)
	for i, want := range []int{10, 0, 30} {
		assert.Equal(t, want, results[i].Value, "item %d value", i)
		assert.Equal(t, 100+i+1, results[i].State.Count, "item %d state", i)
	}
	assert.NoError(t, results[0].Err)
	assert.ErrorIs(t, results[1].Err, errBoom)
	assert.Equal(t, "count", stageErrorOf(t, results[1].Err).Stage)
	assert.NoError(t, results[2].Err)
}

// isolatedWrites writes its item into every part of the state, nested map
// and slice included, and returns what it saw before writing.
func isolatedWrites(_ context.Context, v int, s *testState) (string, error) {
	seen := fmt.Sprint(s.Count, s.Notes, s.Tags, s.Nested)
	s.Count += v
	s.Notes = append(s.Notes, fmt.Sprint(v))
	s.Tags[fmt.Sprint(v)] = v
	s.Nested["shared"][0] = v
	s.Nested["shared"] = append(s.Nested["shared"], v)
	return seen, nil
}

func newTemplate() *testState {
	return &testState{
		Count:  1,
		Notes:  make([]string, 1, 10), // spare capacity: appends would share it
		Tags:   map[string]int{"t": 0},
		Nested: map[string][]int{"shared": {0}},
	}
}

func TestMapIsolatesItemState(t *testing.T) {
	t.Parallel()
	p, err := pipeline.New[int, string]("isolated", pipeline.Options[testState]{},
		pipeline.NewStateStage("write", isolatedWrites, pipeline.StageOptions{}))
	require.NoError(t, err)
	initial := fmt.Sprint(newTemplate().Count, newTemplate().Notes, newTemplate().Tags,
		newTemplate().Nested)
	items := []int{1, 2, 3, 4}

	t.Run("map", func(t *testing.T) {
		t.Parallel()
		template := newTemplate()
		got, err := p.Map(t.Context(), items, 2, template)
		require.NoError(t, err)
		for i, seen := range got {
			assert.Equal(t, initial, seen, "item %d saw another item's writes", i)
		}
		assert.Equal(t, newTemplate(), template, "the caller's state is not modified")
	})
	t.Run("settled", func(t *testing.T) {
		t.Parallel()
		template := newTemplate()
		results, err := p.MapSettled(t.Context(), items, 2, template)
		require.NoError(t, err)
		for i, r := range results {
			v := items[i]
			require.NoError(t, r.Err)
			assert.Equal(t, initial, r.Value, "item %d saw another item's writes", i)
			assert.Equal(t, 1+v, r.State.Count)
			assert.Equal(t, []string{"", fmt.Sprint(v)}, r.State.Notes)
			assert.Equal(t, map[string]int{"t": 0, fmt.Sprint(v): v}, r.State.Tags)
			assert.Equal(t, map[string][]int{"shared": {v, v}}, r.State.Nested)
		}
		assert.Equal(t, newTemplate(), template, "the caller's state is not modified")
	})
}

// plainState has no references, so Map copies it by assignment.
type plainState struct {
	Count int
	Seen  [4]int
}

func TestMapIsolatesValueState(t *testing.T) {
	t.Parallel()
	p, err := pipeline.New[int, int]("plain", pipeline.Options[plainState]{},
		pipeline.NewStateStage("write", func(_ context.Context, v int, s *plainState) (int, error) {
			before := s.Count
			s.Count += v
			s.Seen[v] = v
			return before, nil
		}, pipeline.StageOptions{}))
	require.NoError(t, err)

	template := &plainState{Count: 10}
	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 3, template)
	require.NoError(t, err)
	for i, r := range results {
		v := i + 1
		assert.Equal(t, 10, r.Value, "item %d saw another item's writes", i)
		var seen [4]int
		seen[v] = v
		assert.Equal(t, plainState{Count: 10 + v, Seen: seen}, r.State)
	}
	assert.Equal(t, &plainState{Count: 10}, template)
}

func TestMapNilStateStartsFromZero(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStateStage("bump", bump, pipeline.StageOptions{}),
		pipeline.NewStateStage("read", readCount, pipeline.StageOptions{}),
	)
	got, err := p.Map(t.Context(), []int{0, 0, 0}, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1}, got)
}

func TestMapStopsWhenCallerCancels(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{}, 10)
	var calls atomic.Int32
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("block", func(ctx context.Context, _ int) (int, error) {
			calls.Add(1)
			started <- struct{}{}
			<-ctx.Done()
			return 0, ctx.Err()
		}, pipeline.StageOptions{}))

	go func() {
		<-started
		<-started
		cancel()
	}()
	got, err := p.Map(ctx, make([]int, 10), 2, nil)
	assert.Nil(t, got)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(2), calls.Load(), "no item starts after the cancellation")
}

func TestMapSettledUnstartedItemsGetContextError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("cancel", func(ctx context.Context, _ int) (int, error) {
			cancel()
			<-ctx.Done()
			return 0, ctx.Err()
		}, pipeline.StageOptions{}))

	results, err := p.MapSettled(ctx, []int{1, 2, 3}, 1, nil)
	require.NoError(t, err)
	require.Len(t, results, 3)
	assert.Equal(t, "cancel", stageErrorOf(t, results[0].Err).Stage)
	assert.ErrorIs(t, results[0].Err, context.Canceled)
	assert.Equal(t, context.Canceled, results[1].Err)
	assert.Equal(t, context.Canceled, results[2].Err)
}

func TestMapWithTimeout(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("slow-two", func(ctx context.Context, v int) (int, error) {
			if v == 2 {
				<-ctx.Done()
				return 0, ctx.Err()
			}
			return v, nil
		}, pipeline.StageOptions{Timeout: shortTimeout}))

	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, results[0].Value)
	assert.NoError(t, results[0].Err)
	assert.ErrorIs(t, results[1].Err, pipeline.ErrTimeout)
	assert.Equal(t, "slow-two", stageErrorOf(t, results[1].Err).Stage)
	assert.Equal(t, 3, results[2].Value)
	assert.NoError(t, results[2].Err)

	_, err = p.Map(t.Context(), []int{1, 2, 3}, 3, nil)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1)
	assert.Equal(t, 1, me.Items[0].Index)
	assert.ErrorIs(t, err, pipeline.ErrTimeout)
}

func TestMapWithRetries(t *testing.T) {
	t.Parallel()
	var calls [4]atomic.Int32
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("flaky", func(_ context.Context, v int) (int, error) {
			n := calls[v].Add(1)
			if v == 3 || n == 1 { // item 3 always fails, the others once
				return 0, errBoom
			}
			return v + 1, nil
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1}}))

	got, err := p.Map(t.Context(), []int{1, 2}, 2, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, got)

	results, err := p.MapSettled(t.Context(), []int{3}, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, stageErrorOf(t, results[0].Err).Attempts)
	assert.ErrorIs(t, results[0].Err, errBoom)
}

// goexitOnTwo calls runtime.Goexit for input 2, which ends the goroutine
// that runs the pipeline because no timeout moves the call to its own.
func goexitOnTwo(_ context.Context, v int) (int, error) {
	if v == 2 {
		runtime.Goexit()
	}
	return v * 10, nil
}

func TestMapGoexitFailsItem(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("goexit", goexitOnTwo, pipeline.StageOptions{}))

	got, err := p.Map(t.Context(), []int{1, 2, 3}, 1, nil)
	assert.Nil(t, got)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1)
	assert.Equal(t, 1, me.Items[0].Index)
	assert.ErrorContains(t, me.Items[0].Err, "runtime.Goexit")
}

func TestMapSettledGoexitFailsOnlyItsItem(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("goexit", goexitOnTwo, pipeline.StageOptions{}))

	results, err := p.MapSettled(t.Context(), []int{1, 2, 3, 4}, 1, nil)
	require.NoError(t, err)
	require.Len(t, results, 4)
	assert.NoError(t, results[0].Err)
	assert.Equal(t, 10, results[0].Value)
	assert.ErrorContains(t, results[1].Err, "runtime.Goexit")
	assert.NoError(t, results[2].Err, "a new worker runs the items after the Goexit")
	assert.Equal(t, 30, results[2].Value)
	assert.NoError(t, results[3].Err)
	assert.Equal(t, 40, results[3].Value)
}
