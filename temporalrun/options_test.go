package temporalrun_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

func TestNewRejectsInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      temporalrun.Options
		wantErr   error
		wantField string
	}{
		{name: "unknown stage name",
			opts:    temporalrun.Options{Stages: map[string]temporalrun.StageOptions{"nope": {}}},
			wantErr: pipeline.ErrUnknownStage, wantField: "Stages"},
		{name: "negative default start-to-close",
			opts:    temporalrun.Options{DefaultStartToCloseTimeout: -time.Second},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "DefaultStartToCloseTimeout"},
		{name: "negative stage start-to-close",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
				"s0": {StartToCloseTimeout: -time.Second}}},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "StartToCloseTimeout"},
		{name: "negative schedule-to-close",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
				"s1": {ScheduleToCloseTimeout: -time.Second}}},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "ScheduleToCloseTimeout"},
		{name: "negative heartbeat timeout",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
				"s0": {HeartbeatTimeout: -time.Second}}},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "HeartbeatTimeout"},
		{name: "start-to-close below stage timeout",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
				"timed": {StartToCloseTimeout: time.Second}}},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "StartToCloseTimeout"},
		{name: "start-to-close equal to stage timeout",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
				"timed": {StartToCloseTimeout: 2 * time.Second}}},
			wantErr: pipeline.ErrInvalidTimeout, wantField: "StartToCloseTimeout"},
		{name: "negative max concurrency", opts: temporalrun.Options{MaxConcurrency: -1},
			wantErr: pipeline.ErrInvalidConcurrency, wantField: "MaxConcurrency"},
		{name: "max concurrency above the limit",
			opts:    temporalrun.Options{MaxConcurrency: temporalrun.MaxConcurrencyLimit + 1},
			wantErr: temporalrun.ErrConcurrencyTooHigh, wantField: "MaxConcurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stages := append(manyStages(2), addStage(&calls{}, "timed", 1,
				pipeline.StageOptions{Timeout: 2 * time.Second}))
			p := newPipeline(t, "invalid", pipeline.Options[runState]{}, stages...)
			_, err := temporalrun.New(p, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
			var cfg *pipeline.ConfigError
			require.ErrorAs(t, err, &cfg)
			require.Equal(t, tt.wantField, cfg.Field)
			require.Equal(t, "invalid", cfg.Pipeline)
		})
	}
}

func TestNewAcceptsLimits(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, "limits", pipeline.Options[runState]{}, manyStages(1)...)
	opts := temporalrun.Options{MaxConcurrency: temporalrun.MaxConcurrencyLimit}
	_, err := temporalrun.New(p, opts)
	require.NoError(t, err)
}

func TestNewAcceptsStartToCloseAboveTimeout(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, "above", pipeline.Options[runState]{},
		addStage(&calls{}, "timed", 1, pipeline.StageOptions{Timeout: 2 * time.Second}),
		addStage(&calls{}, "untimed", 1, pipeline.StageOptions{}))
	_, err := temporalrun.New(p, temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
		"timed":   {StartToCloseTimeout: 2*time.Second + time.Millisecond},
		"untimed": {StartToCloseTimeout: time.Millisecond},
	}})
	require.NoError(t, err)
}

func TestStartToCloseErrorNamesStage(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, "below", pipeline.Options[runState]{},
		addStage(&calls{}, "timed", 1, pipeline.StageOptions{Timeout: 2 * time.Second}))
	_, err := temporalrun.New(p, temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
		"timed": {StartToCloseTimeout: time.Second}}})
	var cfg *pipeline.ConfigError
	require.ErrorAs(t, err, &cfg)
	require.Equal(t, "timed", cfg.Stage)
	require.Equal(t, "StartToCloseTimeout", cfg.Field)
	require.Contains(t, cfg.Detail, "1s")
	require.Contains(t, cfg.Detail, "2s")
}

func TestNewRejectsNilPipeline(t *testing.T) {
	t.Parallel()
	_, err := temporalrun.New[int, int, runState](nil, temporalrun.Options{})
	require.ErrorIs(t, err, temporalrun.ErrNilPipeline)
}

func TestNames(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, "orders", pipeline.Options[runState]{},
		addStage(&calls{}, "fetch", 1, pipeline.StageOptions{}),
		addStage(&calls{}, "store", 1, pipeline.StageOptions{}))
	tp := newTemporal(t, p, temporalrun.Options{})

	require.Same(t, p, tp.Pipeline())
	require.Equal(t, "orders", tp.Name())
	require.Equal(t, "orders", tp.WorkflowName())
	require.Equal(t, "orders.map", tp.MapWorkflowName())
	require.Equal(t, "orders.fetch", tp.ActivityName("fetch"))
	require.Equal(t, []string{"fetch", "store"}, tp.StageNames())
}

func TestMaxMapItems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		stages      int
		concurrency int
		want        int
	}{
		{name: "one stage", stages: 1, concurrency: 10,
			want: (temporalrun.MaxHistoryEvents - 5 - 2*10) / temporalrun.EventsPerActivity},
		{name: "four stages", stages: 4, concurrency: 100,
			want: (temporalrun.MaxHistoryEvents - 5 - 2*100) / (4 * temporalrun.EventsPerActivity)},
		{name: "more stages than fit", stages: 10_000, concurrency: 1, want: 0},
		{name: "zero concurrency means the default", stages: 1, concurrency: 0,
			want: (temporalrun.MaxHistoryEvents - 5 - 2*temporalrun.DefaultMapConcurrency) /
				temporalrun.EventsPerActivity},
		{name: "negative concurrency", stages: 1, concurrency: -1, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := newTemporal(t, newPipeline(t, "batch", pipeline.Options[runState]{},
				manyStages(tt.stages)...), temporalrun.Options{})
			require.Equal(t, tt.want, tp.MaxMapItems(tt.concurrency))
		})
	}
}
