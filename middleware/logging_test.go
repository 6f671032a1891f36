package middleware_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// logRecorder is a slog handler that stores every record, with the value of
// requestIDKey in the context the record was logged with.
type logRecorder struct {
	mu      sync.Mutex
	records []loggedRecord
}

type loggedRecord struct {
	level     slog.Level
	message   string
	attrs     map[string]slog.Value
	requestID any
}

type requestIDKey struct{}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(ctx context.Context, r slog.Record) error {
	rec := loggedRecord{level: r.Level, message: r.Message, attrs: map[string]slog.Value{},
		requestID: ctx.Value(requestIDKey{})}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, rec)
	h.mu.Unlock()
	return nil
}

func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

func (h *logRecorder) all() []loggedRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]loggedRecord(nil), h.records...)
}

func (h *logRecorder) messages() []string {
	var msgs []string
	for _, r := range h.all() {
		msgs = append(msgs, r.message+" "+r.attrs["stage"].String())
	}
	return msgs
}

func TestLoggingStartAndFinish(t *testing.T) {
	logs := &logRecorder{}
	mw := middleware.Logging[runState](middleware.LoggingOptions{Logger: slog.New(logs)})
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{mw},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	out, err := p.Run(t.Context(), 5, nil)
	require.NoError(t, err)
	require.Equal(t, 12, out)

	require.Equal(t, []string{
		"stage started add_one", "stage finished add_one",
		"stage started double", "stage finished double",
	}, logs.messages())
	for _, r := range logs.all() {
		assert.Equal(t, slog.LevelInfo, r.level, r.message)
		assert.Equal(t, slog.KindString, r.attrs["stage"].Kind(), r.message)
	}
	for _, r := range []loggedRecord{logs.all()[1], logs.all()[3]} {
		require.Contains(t, r.attrs, "duration")
		assert.Equal(t, slog.KindDuration, r.attrs["duration"].Kind())
		assert.GreaterOrEqual(t, r.attrs["duration"].Duration(), time.Duration(0))
	}
	assert.NotContains(t, logs.all()[0].attrs, "duration")
}

func TestLoggingValues(t *testing.T) {
	tests := []struct {
		name          string
		includeValues bool
	}{
		{name: "leaves values out by default", includeValues: false},
		{name: "adds values when asked", includeValues: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logRecorder{}
			mw := middleware.Logging[runState](middleware.LoggingOptions{
				Logger: slog.New(logs), IncludeValues: tt.includeValues,
			})
			p := newPipeline[int, int](t, pipeline.Options[runState]{
				Middleware: []pipeline.Middleware[runState]{mw},
			}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 5, nil)
			require.NoError(t, err)

			records := logs.all()
			require.Len(t, records, 2)
			start, finish := records[0], records[1]
			assert.NotContains(t, start.attrs, "output")
			assert.NotContains(t, finish.attrs, "input")
			if !tt.includeValues {
				assert.NotContains(t, start.attrs, "input")
				assert.NotContains(t, finish.attrs, "output")
				return
			}
			require.Contains(t, start.attrs, "input")
			assert.Equal(t, int64(5), start.attrs["input"].Int64())
			require.Contains(t, finish.attrs, "output")
			assert.Equal(t, int64(6), finish.attrs["output"].Int64())
			assert.Equal(t, "stage started", start.message)
			assert.Equal(t, "stage finished", finish.message)
		})
	}
}

func TestLoggingFailure(t *testing.T) {
	logs := &logRecorder{}
	outer, inner := &errorRecorder{}, &errorRecorder{}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			outer.middleware,
			middleware.Logging[runState](middleware.LoggingOptions{
				Logger: slog.New(logs), IncludeValues: true,
			}),
			inner.middleware,
		},
	}, pipeline.NewStage("fail", failing(errBoom), pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)

	var stageErr *pipeline.StageError
	require.ErrorAs(t, err, &stageErr)
	assert.Equal(t, "fail", stageErr.Stage)
	require.ErrorIs(t, err, errBoom)

	t.Run("returns the error unchanged", func(t *testing.T) {
		require.Len(t, inner.errors(), 1)
		require.Len(t, outer.errors(), 1)
		assert.True(t, inner.errors()[0] == outer.errors()[0],
			"Logging returned %v, next returned %v", outer.errors()[0], inner.errors()[0])
	})
	t.Run("logs the failure once", func(t *testing.T) {
		require.Equal(t, []string{"stage started fail", "stage failed fail"}, logs.messages())
		failed := logs.all()[1]
		assert.Equal(t, slog.LevelError, failed.level)
		require.Contains(t, failed.attrs, "error")
		failure, ok := failed.attrs["error"].Any().(error)
		require.True(t, ok, "error attribute is %T", failed.attrs["error"].Any())
		assert.ErrorIs(t, failure, errBoom)
		assert.Equal(t, slog.KindDuration, failed.attrs["duration"].Kind())
		assert.NotContains(t, failed.attrs, "output")
	})
}

func TestLoggingLevels(t *testing.T) {
	tests := []struct {
		name         string
		opts         middleware.LoggingOptions
		wantLevel    slog.Level
		wantFailures slog.Level
	}{
		{name: "defaults to info and error",
			wantLevel: slog.LevelInfo, wantFailures: slog.LevelError},
		{name: "uses the given levels",
			opts:      middleware.LoggingOptions{Level: slog.LevelDebug, FailureLevel: slog.LevelWarn},
			wantLevel: slog.LevelDebug, wantFailures: slog.LevelWarn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logRecorder{}
			tt.opts.Logger = slog.New(logs)
			p := newPipeline[int, int](t, pipeline.Options[runState]{
				Middleware: []pipeline.Middleware[runState]{middleware.Logging[runState](tt.opts)},
			}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
				pipeline.NewStage("fail", failing(errBoom), pipeline.StageOptions{}))

			_, err := p.Run(t.Context(), 1, nil)
			require.ErrorIs(t, err, errBoom)

			records := logs.all()
			require.Len(t, records, 4)
			assert.Equal(t, tt.wantLevel, records[0].level, "start")
			assert.Equal(t, tt.wantLevel, records[1].level, "finish")
			assert.Equal(t, tt.wantLevel, records[2].level, "start of failing stage")
			assert.Equal(t, tt.wantFailures, records[3].level, "failure")
		})
	}
}

func TestLoggingLevelVarChangesLevel(t *testing.T) {
	logs := &logRecorder{}
	level := &slog.LevelVar{}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			middleware.Logging[runState](middleware.LoggingOptions{
				Logger: slog.New(logs), Level: level,
			}),
		},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	level.Set(slog.LevelDebug)
	_, err = p.Run(t.Context(), 1, nil)
	require.NoError(t, err)

	records := logs.all()
	require.Len(t, records, 4)
	assert.Equal(t, slog.LevelInfo, records[0].level)
	assert.Equal(t, slog.LevelDebug, records[2].level)
}

func TestLoggingPassesCallContext(t *testing.T) {
	logs := &logRecorder{}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			middleware.Logging[runState](middleware.LoggingOptions{Logger: slog.New(logs)}),
		},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

	ctx := context.WithValue(t.Context(), requestIDKey{}, "req-7")
	_, err := p.Run(ctx, 1, nil)
	require.NoError(t, err)

	records := logs.all()
	require.Len(t, records, 2)
	for _, r := range records {
		assert.Equal(t, "req-7", r.requestID, r.message)
	}
}

func TestLoggingDefaultLogger(t *testing.T) {
	logs := &logRecorder{}
	previous := slog.Default()
	slog.SetDefault(slog.New(logs))
	t.Cleanup(func() { slog.SetDefault(previous) })

	mw := middleware.Logging[runState](middleware.LoggingOptions{})
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{mw},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}))

	_, err := p.Run(t.Context(), 1, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"stage started add_one", "stage finished add_one"}, logs.messages())
}

func TestLoggingWithTiming(t *testing.T) {
	logs := &logRecorder{}
	p := newPipeline[int, int](t, pipeline.Options[runState]{
		Middleware: []pipeline.Middleware[runState]{
			middleware.Logging[runState](middleware.LoggingOptions{Logger: slog.New(logs)}),
			middleware.Timing[runState](),
		},
	}, pipeline.NewStage("add_one", addOne, pipeline.StageOptions{}),
		pipeline.NewStage("double", double, pipeline.StageOptions{}))

	var state runState
	out, err := p.Run(t.Context(), 1, &state)
	require.NoError(t, err)
	require.Equal(t, 4, out)

	require.Equal(t, []string{
		"stage started add_one", "stage finished add_one",
		"stage started double", "stage finished double",
	}, logs.messages())
	assert.Len(t, state.Timings["add_one"], 1)
	assert.Len(t, state.Timings["double"], 1)
}
