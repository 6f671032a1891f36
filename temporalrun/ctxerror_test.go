package temporalrun_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// stuckClient is a client.Client whose workflows never end. Waiting for
// them and querying them fail as the SDK fails when ctx ends: with a
// *serviceerror.DeadlineExceeded or *serviceerror.Canceled.
type stuckClient struct {
	client.Client // nil: other methods panic
}

func (stuckClient) ExecuteWorkflow(
	_ context.Context, opts client.StartWorkflowOptions, _ any, _ ...any,
) (client.WorkflowRun, error) {
	return stuckRun{id: opts.ID}, nil
}

func (stuckClient) QueryWorkflow(
	ctx context.Context, _, _ string, _ string, _ ...any,
) (converter.EncodedValue, error) {
	<-ctx.Done()
	return nil, serviceErrorOf(ctx)
}

type stuckRun struct {
	client.WorkflowRun // nil: other methods panic
	id                 string
}

func (r stuckRun) GetID() string    { return r.id }
func (r stuckRun) GetRunID() string { return r.id + "-run" }

func (r stuckRun) Get(ctx context.Context, _ any) error {
	<-ctx.Done()
	return serviceErrorOf(ctx)
}

// serviceErrorOf returns the service error that the SDK returns for a done
// ctx.
func serviceErrorOf(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return serviceerror.NewDeadlineExceeded(ctx.Err().Error())
	}
	return serviceerror.NewCanceled(ctx.Err().Error())
}

func TestWaitReturnsContextError(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "stuck", pipeline.Options[runState]{},
		addStage(&calls{}, "add", 1, pipeline.StageOptions{})), temporalrun.Options{})
	opts := client.StartWorkflowOptions{ID: "stuck-1"}
	waits := []struct {
		name string
		wait func(ctx context.Context) error
	}{
		{"Run", func(ctx context.Context) error {
			_, err := tp.Run(ctx, stuckClient{}, opts, 1, nil)
			return err
		}},
		{"RunHandle.Get", func(ctx context.Context) error {
			h, err := tp.Start(ctx, stuckClient{}, opts, 1, nil)
			require.NoError(t, err)
			_, _, err = h.Get(ctx)
			return err
		}},
		{"Map", func(ctx context.Context) error {
			_, err := tp.Map(ctx, stuckClient{}, opts, []int{1, 2}, 1, nil)
			return err
		}},
		{"MapSettled", func(ctx context.Context) error {
			_, err := tp.MapSettled(ctx, stuckClient{}, opts, []int{1, 2}, 1, nil)
			return err
		}},
		{"MapHandle.Get", func(ctx context.Context) error {
			h, err := tp.StartMap(ctx, stuckClient{}, opts, []int{1},
				temporalrun.MapOptions[runState]{})
			require.NoError(t, err)
			_, err = h.Get(ctx)
			return err
		}},
		{"MapHandle.Progress", func(ctx context.Context) error {
			h, err := tp.StartMap(ctx, stuckClient{}, opts, []int{1},
				temporalrun.MapOptions[runState]{})
			require.NoError(t, err)
			_, err = h.Progress(ctx)
			return err
		}},
	}
	for _, w := range waits {
		t.Run(w.name+" deadline", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
			defer cancel()
			err := w.wait(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, `"stuck-1"`)
			var sdkErr *serviceerror.DeadlineExceeded
			require.ErrorAs(t, err, &sdkErr, "the SDK error stays reachable")
		})
		t.Run(w.name+" cancel", func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(10*time.Millisecond, cancel)
			err := w.wait(ctx)
			require.ErrorIs(t, err, context.Canceled)
			require.NotErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}
