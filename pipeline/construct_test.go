package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

type otherState struct{ Other string }

func TestNewRejectsInvalidConfiguration(t *testing.T) {
	t.Parallel()
	none := pipeline.Options[testState]{}
	stage := func(name string) pipeline.Stage {
		return pipeline.NewStage(name, addOne, pipeline.StageOptions{})
	}
	stageWith := func(name string, opts pipeline.StageOptions) pipeline.Stage {
		return pipeline.NewStage(name, addOne, opts)
	}
	retry := func(r pipeline.RetryPolicy) pipeline.StageOptions {
		return pipeline.StageOptions{Retry: r}
	}
	build := func(stages ...pipeline.Stage) error {
		_, err := pipeline.New[int, int]("p", none, stages...)
		return err
	}
	noop := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		return next(ctx, in, s)
	}

	tests := []struct {
		name     string
		err      error
		want     error
		pipeline string
		stage    string
		field    string
		detail   []string // substrings of ConfigError.Detail, when checked
	}{
		{name: "no stages", err: build(), want: pipeline.ErrNoStages,
			pipeline: "p", field: "stages"},
		{name: "empty pipeline name",
			err: func() error {
				_, err := pipeline.New[int, int]("", none, stage("a"))
				return err
			}(),
			want: pipeline.ErrInvalidName, field: "name"},
		{name: "empty stage name", err: build(stage("a"), stage("")),
			want: pipeline.ErrInvalidName, pipeline: "p", field: "name",
			detail: []string{"stage 1"}},
		{name: "zero stage first",
			err:  build(pipeline.Stage{}),
			want: pipeline.ErrNilHandler, pipeline: "p", field: "stages",
			detail: []string{"stage 0 is the zero Stage", "NewStage or NewStateStage"}},
		{name: "zero stage after valid stage",
			err:  build(stage("a"), pipeline.Stage{}),
			want: pipeline.ErrNilHandler, pipeline: "p", field: "stages",
			detail: []string{"stage 1 is the zero Stage"}},
		{name: "duplicate stage name", err: build(stage("a"), stage("a")),
			want: pipeline.ErrDuplicateStage, pipeline: "p", stage: "a", field: "name"},
		{name: "nil handler",
			err:  build(pipeline.NewStage[int, int]("a", nil, pipeline.StageOptions{})),
			want: pipeline.ErrNilHandler, pipeline: "p", stage: "a", field: "handler"},
		{name: "nil state handler",
			err: build(pipeline.NewStateStage[int, int, testState]("a", nil,
				pipeline.StageOptions{})),
			want: pipeline.ErrNilHandler, pipeline: "p", stage: "a", field: "handler"},
		{name: "nil middleware",
			err: func() error {
				opts := pipeline.Options[testState]{
					Middleware: []pipeline.Middleware[testState]{noop, nil},
				}
				_, err := pipeline.New[int, int]("p", opts, stage("a"))
				return err
			}(),
			want: pipeline.ErrNilHandler, pipeline: "p", field: "Middleware[1]"},
		{name: "negative timeout",
			err:  build(stageWith("a", pipeline.StageOptions{Timeout: -time.Second})),
			want: pipeline.ErrInvalidTimeout, pipeline: "p", stage: "a", field: "Timeout",
			detail: []string{"-1s", "must not be negative"}},
		{name: "negative retries",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Retries: -1}))),
			want: pipeline.ErrInvalidRetries, pipeline: "p", stage: "a",
			field: "Retry.Retries", detail: []string{"-1", "must not be negative"}},
		{name: "negative delay",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Delay: -time.Millisecond}))),
			want: pipeline.ErrInvalidDelay, pipeline: "p", stage: "a", field: "Retry.Delay",
			detail: []string{"-1ms", "must not be negative"}},
		{name: "negative max delay",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{MaxDelay: -time.Millisecond}))),
			want: pipeline.ErrInvalidDelay, pipeline: "p", stage: "a",
			field: "Retry.MaxDelay", detail: []string{"-1ms", "must not be negative"}},
		{name: "unknown backoff",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Backoff: pipeline.Backoff(7)}))),
			want: pipeline.ErrInvalidBackoff, pipeline: "p", stage: "a",
			field: "Retry.Backoff", detail: []string{"Backoff(7)", "must be fixed or exponential"}},
		{name: "jitter NaN",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Jitter: math.NaN()}))),
			want: pipeline.ErrInvalidJitter, pipeline: "p", stage: "a", field: "Retry.Jitter"},
		{name: "jitter below zero",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Jitter: -0.1}))),
			want: pipeline.ErrInvalidJitter, pipeline: "p", stage: "a", field: "Retry.Jitter"},
		{name: "jitter above one",
			err:  build(stageWith("a", retry(pipeline.RetryPolicy{Jitter: 1.5}))),
			want: pipeline.ErrInvalidJitter, pipeline: "p", stage: "a", field: "Retry.Jitter",
			detail: []string{"1.5", "must be between 0 and 1"}},
		{name: "stage state type differs",
			err: build(pipeline.NewStateStage("a",
				func(_ context.Context, v int, _ *otherState) (int, error) { return v, nil },
				pipeline.StageOptions{})),
			want: pipeline.ErrStateType, pipeline: "p", stage: "a", field: "handler"},
		{name: "pipeline input does not fit first stage",
			err: func() error {
				_, err := pipeline.New[string, int]("p", none, stage("a"))
				return err
			}(),
			want: pipeline.ErrTypeMismatch, pipeline: "p", stage: "a", field: "input",
			detail: []string{"string", "int"}},
		{name: "stage output does not fit next stage",
			err: build(
				pipeline.NewStage("a", func(context.Context, int) (string, error) {
					return "", nil
				}, pipeline.StageOptions{}),
				stage("b")),
			want: pipeline.ErrTypeMismatch, pipeline: "p", stage: "b", field: "input",
			detail: []string{`"a"`, `"b"`, "string", "int"}},
		{name: "last stage does not fit pipeline output",
			err: func() error {
				_, err := pipeline.New[int, string]("p", none, stage("a"))
				return err
			}(),
			want: pipeline.ErrTypeMismatch, pipeline: "p", stage: "a", field: "output",
			detail: []string{"string", "int"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.err, tc.want)
			var cfg *pipeline.ConfigError
			require.ErrorAs(t, tc.err, &cfg)
			assert.Equal(t, tc.pipeline, cfg.Pipeline, "pipeline")
			assert.Equal(t, tc.stage, cfg.Stage, "stage")
			assert.Equal(t, tc.field, cfg.Field, "field")
			for _, part := range tc.detail {
				assert.Contains(t, cfg.Detail, part)
			}
		})
	}
}

// newWithState builds a one-stage pipeline whose run state is S.
func newWithState[S any]() error {
	_, err := pipeline.New[int, int]("p", pipeline.Options[S]{},
		pipeline.NewStage("a", addOne, pipeline.StageOptions{}))
	return err
}

type (
	chanState       struct{ C chan int }
	funcState       struct{ F func() }
	nestedChanState struct{ P *struct{ C chan int } }
	funcSliceState  struct{ Hooks []func() }
	chanMapState    struct{ M map[string]chan int }
	arrayKeyState   struct{ M map[[2]int]string }
	complexState    struct{ Z complex128 }
	embeddedState   struct{ chanState }
)

func TestNewRejectsStateNotSerializable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{name: "chan field", err: newWithState[chanState]()},
		{name: "func field", err: newWithState[funcState]()},
		{name: "chan behind nil pointer", err: newWithState[nestedChanState]()},
		{name: "slice of funcs", err: newWithState[funcSliceState]()},
		{name: "map of chans", err: newWithState[chanMapState]()},
		{name: "array map key", err: newWithState[arrayKeyState]()},
		{name: "complex field", err: newWithState[complexState]()},
		{name: "chan in embedded struct", err: newWithState[embeddedState]()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.err, pipeline.ErrStateNotSerializable)
			var cfg *pipeline.ConfigError
			require.ErrorAs(t, tc.err, &cfg)
			assert.Equal(t, "p", cfg.Pipeline)
			assert.Equal(t, "state", cfg.Field)
		})
	}
}

type (
	hiddenState struct {
		Count int
		cache chan int
		Skip  func() `json:"-"`
	}
	timeState   struct{ At time.Time }
	intKeyState struct{ ByID map[int][]string }
	rawState    struct{ Raw json.RawMessage }
	anyState    struct{ Values map[string]any }
	treeState   struct{ Children []treeState }
)

func TestNewAcceptsSerializableState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{name: "plain struct", err: newWithState[testState]()},
		{name: "empty struct", err: newWithState[struct{}]()},
		{name: "unexported and skipped fields", err: newWithState[hiddenState]()},
		{name: "time", err: newWithState[timeState]()},
		{name: "integer map keys", err: newWithState[intKeyState]()},
		{name: "raw message", err: newWithState[rawState]()},
		{name: "interface values", err: newWithState[anyState]()},
		{name: "recursive type", err: newWithState[treeState]()},
		{name: "map state", err: newWithState[map[string]int]()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.err)
		})
	}
}

func TestNewAcceptsValidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts pipeline.StageOptions
	}{
		{name: "zero options", opts: pipeline.StageOptions{}},
		{name: "jitter zero", opts: pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Jitter: 0}}},
		{name: "jitter one", opts: pipeline.StageOptions{
			Retry: pipeline.RetryPolicy{Retries: 1, Delay: time.Millisecond, Jitter: 1}}},
		{name: "every field set", opts: pipeline.StageOptions{
			Timeout: time.Second,
			Retry: pipeline.RetryPolicy{
				Retries: 3, Delay: time.Millisecond, Backoff: pipeline.BackoffExponential,
				MaxDelay: time.Second, Jitter: 0.5, RetryIf: func(error) bool { return true },
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := pipeline.New[int, int]("p", pipeline.Options[testState]{},
				pipeline.NewStage("a", addOne, tc.opts))
			require.NoError(t, err)
			got, err := p.Run(t.Context(), 1, nil)
			require.NoError(t, err)
			assert.Equal(t, 2, got)
			assert.NoError(t, tc.opts.Retry.Validate())
		})
	}
}

func TestNewAcceptsAssignableInterfaces(t *testing.T) {
	t.Parallel()
	write := pipeline.NewStage("write", func(_ context.Context, s string) (*bytes.Buffer, error) {
		return bytes.NewBufferString(s), nil
	}, pipeline.StageOptions{})
	read := pipeline.NewStage("read", func(_ context.Context, r io.Reader) (string, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	}, pipeline.StageOptions{})
	p, err := pipeline.New[string, string]("p", pipeline.Options[testState]{}, write, read)
	require.NoError(t, err)

	got, err := p.Run(t.Context(), "hello", nil)
	require.NoError(t, err)
	assert.Equal(t, "hello", got)
}

func TestNewAcceptsInterfaceOutput(t *testing.T) {
	t.Parallel()
	write := pipeline.NewStage("write", func(_ context.Context, s string) (*bytes.Buffer, error) {
		return bytes.NewBufferString(s), nil
	}, pipeline.StageOptions{})
	p, err := pipeline.New[string, io.Reader]("p", pipeline.Options[testState]{}, write)
	require.NoError(t, err)

	got, err := p.Run(t.Context(), "hi", nil)
	require.NoError(t, err)
	b, err := io.ReadAll(got)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(b))
}

func TestRetryPolicyValidate(t *testing.T) {
	t.Parallel()
	err := pipeline.RetryPolicy{Retries: -2}.Validate()
	require.ErrorIs(t, err, pipeline.ErrInvalidRetries)
	var cfg *pipeline.ConfigError
	require.ErrorAs(t, err, &cfg)
	assert.Equal(t, "Retries", cfg.Field)
	assert.Equal(t, "-2, must not be negative", cfg.Detail)
}

func TestNewCopiesStagesAndMiddleware(t *testing.T) {
	t.Parallel()
	stages := []pipeline.Stage{pipeline.NewStage("a", addOne, pipeline.StageOptions{})}
	calls := 0
	counting := func(ctx context.Context, _ string, in any, s *testState,
		next pipeline.Handler[testState]) (any, error) {
		calls++
		return next(ctx, in, s)
	}
	mws := []pipeline.Middleware[testState]{counting}
	p := newPipeline(t, pipeline.Options[testState]{Middleware: mws}, stages...)

	stages[0] = pipeline.NewStage("a", double, pipeline.StageOptions{})
	mws[0] = func(context.Context, string, any, *testState,
		pipeline.Handler[testState]) (any, error) {
		return nil, errors.New("replaced middleware ran")
	}
	got, err := p.Run(t.Context(), 5, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, got)
	assert.Equal(t, 1, calls)
}
