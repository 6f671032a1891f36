package temporalrun_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// dialServer dials the Temporal service at TEMPORAL_ADDRESS and skips the
// test when that variable is unset.
func dialServer(t *testing.T) client.Client {
	t.Helper()
	address := os.Getenv("TEMPORAL_ADDRESS")
	if address == "" {
		t.Skip("TEMPORAL_ADDRESS is not set; run the tests under scripts/temporal-server.sh run")
	}
	c, err := client.Dial(client.Options{HostPort: address})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// TestAfterHookOnCancelDuringRetry cancels a workflow while the second
// attempt of a stage with a short Timeout runs. The attempt learns of the
// cancellation only from a heartbeat response, after its own timeout.
func TestAfterHookOnCancelDuringRetry(t *testing.T) {
	c := dialServer(t)
	var hookCalls atomic.Int32
	var hookErr atomic.Value
	after := func(_ context.Context, _ string, _, _ any, err error, _ *runState) error {
		hookCalls.Add(1)
		if err != nil {
			hookErr.Store(err)
		}
		return nil
	}
	stage := pipeline.NewStateStage("wait",
		func(ctx context.Context, v int, _ *runState) (int, error) {
			<-ctx.Done()
			return v, ctx.Err()
		}, pipeline.StageOptions{Timeout: 300 * time.Millisecond,
			Retry: pipeline.RetryPolicy{Retries: 2}})
	p, err := pipeline.New[int, int]("cancel-retry",
		pipeline.Options[runState]{AfterStage: after}, stage)
	require.NoError(t, err)
	tp := newTemporal(t, p, temporalrun.Options{})

	taskQueue := "cancel-retry-" + time.Now().Format("150405.000000")
	w, err := worker.New(c, taskQueue, sdkworker.Options{}, tp)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	ctx := t.Context()
	h, err := tp.Start(ctx, c, client.StartWorkflowOptions{TaskQueue: taskQueue}, 1, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		desc, err := c.DescribeWorkflowExecution(ctx, h.ID(), h.RunID())
		require.NoError(t, err)
		for _, act := range desc.GetPendingActivities() {
			if act.GetAttempt() == 2 && act.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "second attempt started")
	require.NoError(t, c.CancelWorkflow(ctx, h.ID(), h.RunID()))
	_, _, err = h.Get(ctx)
	require.ErrorIs(t, err, context.Canceled)

	require.Eventually(t, func() bool { return hookCalls.Load() == 1 },
		5*time.Second, 10*time.Millisecond, "after hook ran")
	require.ErrorIs(t, hookErr.Load().(error), context.Canceled)
}
