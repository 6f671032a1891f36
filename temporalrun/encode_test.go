package temporalrun_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// looseState is a run state whose encodability depends on its values.
type looseState struct {
	Values map[string]any `json:"values"`
}

// afterErrors records the errors that the after hook received.
type afterErrors struct {
	mu   sync.Mutex
	errs []error
}

func (a *afterErrors) hook(
	_ context.Context, _ string, _, _ any, err error, _ *looseState,
) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.errs = append(a.errs, err)
	return nil
}

func (a *afterErrors) get() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]error(nil), a.errs...)
}

func TestUnencodableStateFailsStage(t *testing.T) {
	t.Parallel()
	var after afterErrors
	stage := pipeline.NewStateStage("inf",
		func(_ context.Context, v int, s *looseState) (int, error) {
			s.Values = map[string]any{"ratio": math.Inf(1)}
			return v, nil
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 2}})
	p, err := pipeline.New[int, int]("encode-state",
		pipeline.Options[looseState]{AfterStage: after.hook}, stage)
	require.NoError(t, err)
	tp, err := temporalrun.New(p, temporalrun.Options{})
	require.NoError(t, err)

	state := looseState{Values: map[string]any{"start": 1.0}}
	_, err = tp.Run(t.Context(), newEnvClient(t, tp), client.StartWorkflowOptions{}, 1, &state)
	require.ErrorIs(t, err, pipeline.ErrStateNotSerializable)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 1, se.Attempts, "a permanent failure is not retried")
	var remote *temporalrun.RemoteError
	require.ErrorAs(t, err, &remote)
	require.Equal(t, "*temporalrun.EncodeError", remote.Type)
	require.Equal(t, map[string]any{"start": 1.0}, state.Values,
		"run state as the stage started")

	hookErrs := after.get()
	require.Len(t, hookErrs, 1)
	require.ErrorIs(t, hookErrs[0], pipeline.ErrStateNotSerializable)
	var encErr *temporalrun.EncodeError
	require.ErrorAs(t, hookErrs[0], &encErr)
	require.Equal(t, "run state", encErr.Value)
}

func TestUnencodableOutputFailsStage(t *testing.T) {
	t.Parallel()
	var after afterErrors
	stage := pipeline.NewStateStage("inf",
		func(_ context.Context, v int, _ *looseState) (float64, error) {
			return math.Inf(1), nil
		}, pipeline.StageOptions{})
	p, err := pipeline.New[int, float64]("encode-output",
		pipeline.Options[looseState]{AfterStage: after.hook}, stage)
	require.NoError(t, err)
	tp, err := temporalrun.New(p, temporalrun.Options{})
	require.NoError(t, err)

	_, err = tp.Run(t.Context(), newEnvClient(t, tp), client.StartWorkflowOptions{}, 1, nil)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
	require.NotErrorIs(t, err, pipeline.ErrStateNotSerializable)
	var remote *temporalrun.RemoteError
	require.ErrorAs(t, err, &remote)
	require.Equal(t, "*temporalrun.EncodeError", remote.Type)

	hookErrs := after.get()
	require.Len(t, hookErrs, 1)
	var encErr *temporalrun.EncodeError
	require.True(t, errors.As(hookErrs[0], &encErr), "hook error: %v", hookErrs[0])
	require.Equal(t, "output", encErr.Value)
}
