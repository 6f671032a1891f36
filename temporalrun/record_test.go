//go:build record

package temporalrun_test

import (
	"cmp"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// TestRecordHistories runs the replay pipeline on a Temporal service and
// stores the workflow histories in testdata for TestReplayHistories.
// Record again after a deliberate change of the workflow code:
//
//	temporal server start-dev --ip 127.0.0.1 --port 7333 --ui-port 8333 --headless
//	go test -tags record -run TestRecordHistories -count=1 ./temporalrun/
//
// then stop the server. TEMPORAL_ADDRESS sets the service address
// (default 127.0.0.1:7333) and TEMPORAL_CLI the Temporal CLI that dumps the
// histories (default "temporal" on PATH).
func TestRecordHistories(t *testing.T) {
	address := cmp.Or(os.Getenv("TEMPORAL_ADDRESS"), "127.0.0.1:7333")
	c, err := client.Dial(client.Options{HostPort: address})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	tp := newReplayPipeline(t, replayStages()...)
	w, err := worker.New(c, replayTaskQueue, sdkworker.Options{}, tp)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	ctx := t.Context()
	opts := func(id string) client.StartWorkflowOptions {
		return client.StartWorkflowOptions{ID: id, TaskQueue: replayTaskQueue}
	}
	_, err = tp.Run(ctx, c, opts(historyRun), 1, nil)
	require.NoError(t, err)
	_, err = tp.Run(ctx, c, opts(historyRunFailed), replayFailing, nil)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
	recordCancelled(t, tp, c, opts(historyCancelled))
	_, err = tp.Map(ctx, c, opts(historyMap), replayMapItems, 2, nil)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
	_, err = tp.MapSettled(ctx, c, opts(historyMapSettle), replayMapItems, 2, nil)
	require.NoError(t, err)

	cli := cmp.Or(os.Getenv("TEMPORAL_CLI"), "temporal")
	for _, id := range replayHistories {
		out, err := exec.CommandContext(ctx, cli, "workflow", "show", "-w", id,
			"--output", "json", "--address", address).Output()
		require.NoError(t, err, "dump history of %s", id)
		require.NoError(t, os.WriteFile(filepath.Join("testdata", id+".json"), out, 0o644))
	}
}

// recordCancelled starts a run that blocks in stage "wait", cancels it once
// the stage's activity has started, and waits for the run to end.
func recordCancelled(
	t *testing.T, tp *temporalrun.Pipeline[int, int, runState], c client.Client,
	opts client.StartWorkflowOptions,
) {
	ctx := t.Context()
	h, err := tp.Start(ctx, c, opts, replayBlocked, nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		desc, err := c.DescribeWorkflowExecution(ctx, h.ID(), h.RunID())
		require.NoError(t, err)
		for _, act := range desc.GetPendingActivities() {
			if act.GetActivityType().GetName() == tp.ActivityName("wait") &&
				act.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "stage wait started")

	require.NoError(t, c.CancelWorkflow(ctx, h.ID(), h.RunID()))
	_, _, err = h.Get(ctx)
	require.ErrorIs(t, err, context.Canceled)
}
