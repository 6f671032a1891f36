package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// hookCall is one call of a before or after hook.
type hookCall struct {
	Kind   string
	Stage  string
	Input  any
	Output any
	Err    error
}

// hookRecorder records hook calls; it is safe for concurrent use.
type hookRecorder struct {
	mu    sync.Mutex
	calls []hookCall
}

func (r *hookRecorder) options() pipeline.Options[testState] {
	return pipeline.Options[testState]{
		BeforeStage: func(_ context.Context, stage string, input any, _ *testState) error {
			r.add(hookCall{Kind: "before", Stage: stage, Input: input})
			return nil
		},
		AfterStage: func(_ context.Context, stage string, input, output any, err error,
			_ *testState) error {
			r.add(hookCall{Kind: "after", Stage: stage, Input: input, Output: output, Err: err})
			return nil
		},
	}
}

func (r *hookRecorder) add(c hookCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *hookRecorder) list() []hookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookCall(nil), r.calls...)
}

func TestHooksOnSuccess(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	p := newPipeline(t, rec.options(),
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}),
	)
	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, []hookCall{
		{Kind: "before", Stage: "add-one", Input: 1},
		{Kind: "after", Stage: "add-one", Input: 1, Output: 2},
		{Kind: "before", Stage: "double", Input: 2},
		{Kind: "after", Stage: "double", Input: 2, Output: 4},
	}, rec.list())
}

func TestAfterHookGetsRunError(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	p := newPipeline(t, rec.options(),
		pipeline.NewStage("fail", fail, pipeline.StageOptions{}))
	_, err := p.Run(t.Context(), 1, nil)
	require.Error(t, err)

	calls := rec.list()
	require.Len(t, calls, 2)
	after := calls[1]
	assert.Equal(t, "after", after.Kind)
	assert.Nil(t, after.Output)
	assert.Same(t, stageErrorOf(t, err), stageErrorOf(t, after.Err))
}

func TestAfterHookRunsOnCancellation(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	ctx, cancel := context.WithCancel(t.Context())
	p := newPipeline(t, rec.options(),
		pipeline.NewStage("cancelled", func(ctx context.Context, _ int) (int, error) {
			cancel()
			<-ctx.Done()
			return 0, ctx.Err()
		}, pipeline.StageOptions{}))
	_, err := p.Run(ctx, 1, nil)
	require.ErrorIs(t, err, context.Canceled)

	calls := rec.list()
	require.Len(t, calls, 2)
	assert.Equal(t, "after", calls[1].Kind)
	assert.ErrorIs(t, calls[1].Err, context.Canceled)
}

// hookFailures collects what OnHookError receives.
type hookFailures struct {
	mu     sync.Mutex
	stages []string
	errs   []error
}

func (f *hookFailures) report(stage string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stages = append(f.stages, stage)
	f.errs = append(f.errs, err)
}

func failingHooks(beforeFails, afterFails, panics bool) pipeline.Options[testState] {
	failure := func() error {
		if panics {
			panic(errHook)
		}
		return errHook
	}
	return pipeline.Options[testState]{
		BeforeStage: func(context.Context, string, any, *testState) error {
			if beforeFails {
				return failure()
			}
			return nil
		},
		AfterStage: func(context.Context, string, any, any, error, *testState) error {
			if afterFails {
				return failure()
			}
			return nil
		},
	}
}

func TestHookFailuresDoNotStopRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		before, after, panics bool
	}{
		{name: "before returns error", before: true},
		{name: "before panics", before: true, panics: true},
		{name: "after returns error", after: true},
		{name: "after panics", after: true, panics: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			failures := &hookFailures{}
			opts := failingHooks(tc.before, tc.after, tc.panics)
			opts.OnHookError = failures.report
			calls := 0
			p := newPipeline(t, opts,
				pipeline.NewStage("counted", func(_ context.Context, v int) (int, error) {
					calls++
					return v + 1, nil
				}, pipeline.StageOptions{}))

			got, err := p.Run(t.Context(), 1, nil)
			require.NoError(t, err)
			assert.Equal(t, 2, got)
			assert.Equal(t, 1, calls)
			require.Len(t, failures.errs, 1)
			assert.Equal(t, "counted", failures.stages[0])
			assert.ErrorIs(t, failures.errs[0], errHook)
			if tc.panics {
				assert.ErrorIs(t, failures.errs[0], pipeline.ErrPanic)
			}
		})
	}
}

func TestHookFailureLoggedAtDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	opts := failingHooks(true, false, false)
	opts.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPipeline(t, opts, pipeline.NewStage("logged", addOne, pipeline.StageOptions{}))

	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, got)

	var entry struct {
		Level    string `json:"level"`
		Pipeline string `json:"pipeline"`
		Stage    string `json:"stage"`
		Error    string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &entry), "one JSON log line")
	assert.Equal(t, "DEBUG", entry.Level)
	assert.Equal(t, "test", entry.Pipeline)
	assert.Equal(t, "logged", entry.Stage)
	assert.NotEmpty(t, entry.Error)
}

func TestHookFailureNotLoggedAboveDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	opts := failingHooks(true, true, false)
	opts.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p := newPipeline(t, opts, pipeline.NewStage("quiet", addOne, pipeline.StageOptions{}))
	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Zero(t, buf.Len())
}

func TestAfterHookFailureKeepsStageError(t *testing.T) {
	t.Parallel()
	failures := &hookFailures{}
	opts := failingHooks(false, true, false)
	opts.OnHookError = failures.report
	p := newPipeline(t, opts, pipeline.NewStage("fail", fail, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	assert.Equal(t, errBoom, stageErrorOf(t, err).Err)
	assert.NotErrorIs(t, err, errHook)
	assert.Len(t, failures.errs, 1)
}

func TestHooksSeeInputBeforeMiddleware(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	opts := rec.options()
	opts.Middleware = []pipeline.Middleware[testState]{addTenToInput}
	p := newPipeline(t, opts, pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))

	got, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 12, got, "the stage saw the changed input")
	assert.Equal(t, []hookCall{
		{Kind: "before", Stage: "add-one", Input: 1},
		{Kind: "after", Stage: "add-one", Input: 1, Output: 12},
	}, rec.list())
}

func TestAfterHookSeesBeforeHookWrites(t *testing.T) {
	t.Parallel()
	var seen []string
	opts := pipeline.Options[testState]{
		BeforeStage: func(_ context.Context, stage string, _ any, s *testState) error {
			s.Notes = append(s.Notes, "before "+stage)
			return nil
		},
		AfterStage: func(_ context.Context, _ string, _, _ any, _ error, s *testState) error {
			seen = append([]string(nil), s.Notes...)
			s.Notes = append(s.Notes, "after")
			return nil
		},
	}
	p := newPipeline(t, opts, pipeline.NewStage("fail", fail, pipeline.StageOptions{}))
	state := &testState{}
	_, err := p.Run(t.Context(), 1, state)
	require.Error(t, err)
	assert.Equal(t, []string{"before fail"}, seen)
	assert.Equal(t, []string{"before fail", "after"}, state.Notes,
		"the after hook of a failed stage can write to the state")
}

func TestHooksPerItemUnderMap(t *testing.T) {
	t.Parallel()
	rec := &hookRecorder{}
	p := newPipeline(t, rec.options(),
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("check", func(_ context.Context, v int) (int, error) {
			if v == 3 {
				return 0, errBoom
			}
			return v, nil
		}, pipeline.StageOptions{}),
	)
	results, err := p.MapSettled(t.Context(), []int{1, 2, 3}, 3, nil)
	require.NoError(t, err)
	require.Len(t, results, 3)

	counts := map[string]int{}
	var failed []hookCall
	for _, c := range rec.list() {
		counts[c.Kind+" "+c.Stage]++
		if c.Err != nil {
			failed = append(failed, c)
		}
	}
	assert.Equal(t, map[string]int{
		"before add-one": 3, "after add-one": 3, "before check": 3, "after check": 3,
	}, counts)
	require.Len(t, failed, 1, "only the failing item's after hook gets an error")
	assert.Equal(t, "check", failed[0].Stage)
	assert.Equal(t, 3, failed[0].Input)
	assert.Same(t, stageErrorOf(t, results[1].Err), stageErrorOf(t, failed[0].Err))
}

// syncBuffer is a bytes.Buffer that is safe for concurrent writes, for a
// logger shared by Map items.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(data)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestOnHookErrorPanicLoggedNotRaised(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	opts := failingHooks(true, false, false)
	opts.OnHookError = func(string, error) { panic("OnHookError failed") }
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPipeline(t, opts, pipeline.NewStage("logged", addOne, pipeline.StageOptions{}))

	var got int
	var err error
	require.NotPanics(t, func() { got, err = p.Run(t.Context(), 1, nil) })
	require.NoError(t, err)
	assert.Equal(t, 2, got)

	var entry struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
		Stage string `json:"stage"`
		Error string `json:"error"`
		Panic string `json:"panic"`
	}
	require.NoError(t, json.Unmarshal([]byte(logs.String()), &entry), "one JSON log line")
	assert.Equal(t, "DEBUG", entry.Level)
	assert.Equal(t, "pipeline: OnHookError panicked", entry.Msg)
	assert.Equal(t, "logged", entry.Stage)
	assert.Contains(t, entry.Error, errHook.Error())
	assert.Contains(t, entry.Panic, "OnHookError failed")
}

func TestOnHookErrorPanicUnderMap(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	opts := failingHooks(true, true, true)
	opts.OnHookError = func(string, error) { panic("OnHookError failed") }
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPipeline(t, opts, pipeline.NewStage("mapped", addOne, pipeline.StageOptions{}))

	got, err := p.Map(t.Context(), []int{1, 2, 3}, 2, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 4}, got)
	assert.Equal(t, 6, strings.Count(logs.String(), "OnHookError panicked"),
		"one log line per hook failure: two hooks for each of three items")
}
