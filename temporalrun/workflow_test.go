package temporalrun_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// waitStage returns a stage that blocks until its context is done or
// release is closed, and then returns its context's error.
func waitStage(c *calls, name string, release <-chan struct{}) pipeline.Stage {
	return pipeline.NewStateStage(name, func(ctx context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		select {
		case <-ctx.Done():
		case <-release:
		}
		return v, ctx.Err()
	}, pipeline.StageOptions{})
}

func TestCancelledWorkflow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var c calls
	tp := newTemporal(t, newPipeline(t, "cancel", pipeline.Options[runState]{},
		addStage(&c, "first", 1, pipeline.StageOptions{}),
		waitStage(&c, "wait", release),
		addStage(&c, "never", 1, pipeline.StageOptions{})), temporalrun.Options{})
	cl := newEnvClient(t, tp)
	cl.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnActivityStartedListener(
			func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
				if info.ActivityType.Name == tp.ActivityName("wait") {
					env.CancelWorkflow()
				}
			})
	}

	var state runState
	_, err := tp.Run(t.Context(), cl, client.StartWorkflowOptions{}, 1, &state)
	require.ErrorIs(t, err, context.Canceled)
	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "wait", se.Stage)
	var canceled *temporal.CanceledError
	require.ErrorAs(t, err, &canceled, "the SDK error stays reachable")
	require.Equal(t, []string{"first"}, state.Visits, "run state as the stage started")
	require.Zero(t, c.get("never"))
}

func TestServiceTimeout(t *testing.T) {
	t.Parallel()
	var c calls
	tp := newTemporal(t, newPipeline(t, "timeout", pipeline.Options[runState]{},
		waitStage(&c, "wait", nil)),
		temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
			"wait": {StartToCloseTimeout: 50 * time.Millisecond}}})

	_, err := tp.Run(t.Context(), newEnvClient(t, tp), client.StartWorkflowOptions{}, 1, nil)
	require.ErrorIs(t, err, pipeline.ErrTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "wait", se.Stage)
	var remote *temporalrun.RemoteError
	require.ErrorAs(t, err, &remote)
	require.Equal(t, "*temporal.TimeoutError", remote.Type)
}

func TestActivityOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		stage     pipeline.StageOptions
		opts      temporalrun.Options
		taskQueue string
		want      activity.Info
	}{
		{name: "defaults", want: activity.Info{TaskQueue: temporalrun.DefaultTaskQueue,
			StartToCloseTimeout: temporalrun.DefaultStartToClose}},
		{name: "stage timeout plus grace", stage: pipeline.StageOptions{Timeout: time.Minute},
			want: activity.Info{TaskQueue: temporalrun.DefaultTaskQueue,
				StartToCloseTimeout: time.Minute + temporalrun.StartToCloseGrace}},
		{name: "pipeline default start-to-close",
			opts: temporalrun.Options{DefaultStartToCloseTimeout: time.Hour},
			want: activity.Info{TaskQueue: temporalrun.DefaultTaskQueue,
				StartToCloseTimeout: time.Hour}},
		{name: "stage overrides", stage: pipeline.StageOptions{Timeout: time.Minute},
			taskQueue: "orders",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{"echo": {
				StartToCloseTimeout: 3 * time.Minute, ScheduleToCloseTimeout: time.Hour,
				HeartbeatTimeout: 30 * time.Second}}},
			want: activity.Info{TaskQueue: "orders", StartToCloseTimeout: 3 * time.Minute,
				ScheduleToCloseTimeout: time.Hour, HeartbeatTimeout: 30 * time.Second}},
		{name: "stage task queue", taskQueue: "orders",
			opts: temporalrun.Options{Stages: map[string]temporalrun.StageOptions{"echo": {
				TaskQueue: "gpu"}}},
			want: activity.Info{TaskQueue: "gpu",
				StartToCloseTimeout: temporalrun.DefaultStartToClose}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := newTemporal(t, newPipeline(t, "options", pipeline.Options[runState]{},
				addStage(&calls{}, "echo", 0, tt.stage)), tt.opts)
			c := newEnvClient(t, tp)
			var got activity.Info
			c.setup = func(env *testsuite.TestWorkflowEnvironment) {
				env.SetOnActivityStartedListener(
					func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
						got = *info
					})
			}
			_, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{TaskQueue: tt.taskQueue},
				1, nil)
			require.NoError(t, err)
			require.Equal(t, tt.want.TaskQueue, got.TaskQueue, "task queue")
			require.Equal(t, tt.want.StartToCloseTimeout, got.StartToCloseTimeout, "start-to-close")
			require.Equal(t, tt.want.HeartbeatTimeout, got.HeartbeatTimeout, "heartbeat")
			if tt.want.ScheduleToCloseTimeout > 0 {
				require.Equal(t, tt.want.ScheduleToCloseTimeout, got.ScheduleToCloseTimeout,
					"schedule-to-close")
			}
		})
	}
}

func TestRunWithoutState(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "nostate", pipeline.Options[runState]{},
		addStage(&calls{}, "add", 1, pipeline.StageOptions{})), temporalrun.Options{})

	h, err := tp.Start(t.Context(), newEnvClient(t, tp), client.StartWorkflowOptions{ID: "run-1"},
		41, nil)
	require.NoError(t, err)
	require.Equal(t, "run-1", h.ID())
	require.NotEmpty(t, h.RunID())
	out, state, err := h.Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, 42, out)
	require.Equal(t, []string{"add"}, state.Visits)
}

func TestStartRejectsNilClient(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "nil", pipeline.Options[runState]{},
		addStage(&calls{}, "add", 1, pipeline.StageOptions{})), temporalrun.Options{})

	_, err := tp.Start(t.Context(), nil, client.StartWorkflowOptions{}, 1, nil)
	require.ErrorIs(t, err, temporalrun.ErrNilClient)
	_, err = tp.StartMap(t.Context(), nil, client.StartWorkflowOptions{}, []int{1},
		temporalrun.MapOptions[runState]{})
	require.ErrorIs(t, err, temporalrun.ErrNilClient)
}

func TestDecodeError(t *testing.T) {
	t.Parallel()
	other := errors.New("connection refused")
	timedOut := temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, nil)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "nil stays nil", err: nil, want: nil},
		{name: "other errors pass unchanged", err: other, want: other},
		{name: "timed-out workflow passes unchanged", err: timedOut, want: timedOut},
		{name: "application error without details passes unchanged",
			err:  temporal.NewApplicationError("boom", "Other"),
			want: temporal.NewApplicationError("boom", "Other")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, temporalrun.DecodeError(tt.err, nil))
		})
	}
}

func TestDecodeErrorOfCancelledWorkflow(t *testing.T) {
	t.Parallel()
	err := temporalrun.DecodeError(temporal.NewCanceledError(), nil)
	require.ErrorIs(t, err, context.Canceled)
	var remote *temporalrun.RemoteError
	require.ErrorAs(t, err, &remote)
	require.Equal(t, "*temporal.CanceledError", remote.Type)
}

func TestRemoteErrorMatchesOnlyRecordedSentinels(t *testing.T) {
	t.Parallel()
	remote := &temporalrun.RemoteError{Type: "*pipeline.timeoutError", Message: "timed out",
		Matches: []string{"pipeline.ErrTimeout", "context.DeadlineExceeded"}}

	require.ErrorIs(t, remote, pipeline.ErrTimeout)
	require.ErrorIs(t, remote, context.DeadlineExceeded)
	require.NotErrorIs(t, remote, pipeline.ErrPermanent)
	require.NotErrorIs(t, remote, context.Canceled)
	require.NotErrorIs(t, remote, errFlaky)
	require.Equal(t, "timed out", remote.Error())
}

func TestActivityHeartbeatsWhileHandlerRuns(t *testing.T) {
	t.Parallel()
	beat := make(chan runState, 1)
	stage := pipeline.NewStateStage("long", func(ctx context.Context, v int, _ *runState) (int, error) {
		select {
		case <-beat:
			return v, nil
		case <-time.After(10 * time.Second): // only reached when no heartbeat comes
			return 0, errors.New("no heartbeat while the handler ran")
		}
	}, pipeline.StageOptions{})
	tp := newTemporal(t, newPipeline(t, "heartbeat", pipeline.Options[runState]{}, stage),
		temporalrun.Options{Stages: map[string]temporalrun.StageOptions{
			"long": {HeartbeatTimeout: 100 * time.Millisecond}}})
	c := newEnvClient(t, tp)
	var seen runState
	c.setup = func(env *testsuite.TestWorkflowEnvironment) {
		env.SetOnActivityHeartbeatListener(
			func(_ *activity.Info, details converter.EncodedValues) {
				var hb struct{ State runState }
				require.NoError(t, details.Get(&hb))
				select {
				case beat <- hb.State:
					seen = hb.State
				default:
				}
			})
	}

	start := runState{Visits: []string{"caller"}}
	_, err := tp.Run(t.Context(), c, client.StartWorkflowOptions{}, 1, &start)
	require.NoError(t, err)
	require.Equal(t, []string{"caller"}, seen.Visits, "heartbeat carries the run state")
}
