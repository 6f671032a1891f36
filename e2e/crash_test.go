package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Sizes of the crash test's map. A worker finished 10 to 12 items a second
// at concurrency 4, with and without -race, measured against the dev
// server of scripts/temporal-server.sh on a 2-core machine. The map
// therefore runs for several seconds before and after the kill.
const (
	crashFiles       = 200
	crashConcurrency = 4
)

// Bounds of the crash test's waits.
const (
	// crashProgressTimeout bounds the wait for the first worker to finish
	// some items of the map.
	crashProgressTimeout = time.Minute
	// recoveryTimeout bounds the time from the kill until the map
	// finishes. An attempt of the killed worker is retried once its
	// start-to-close timeout passes: the stage's timeout plus
	// temporalrun.StartToCloseGrace, which is 15 s for the hash stage of
	// fileinfo.
	recoveryTimeout = 3 * time.Minute
)

// makeCrashTree writes crashFiles files of random content and size under a
// new directory.
func makeCrashTree(t *testing.T) *fileTree {
	t.Helper()
	ft := &fileTree{dir: t.TempDir()}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range crashFiles {
		name := filepath.Join(fmt.Sprintf("dir-%d", i%7), fmt.Sprintf("file-%03d", i))
		ft.add(t, name, randomBytes(rng, rng.IntN(128<<10)))
	}
	return ft
}

func TestWorkerCrash(t *testing.T) {
	t.Parallel()
	address := serverAddress(t)
	env := commandEnv(t, address)
	c := dialServer(t, address)
	taskQueue := newTaskQueue(t)
	workflowID := newWorkflowID(t)
	ft := makeCrashTree(t)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	mapArgs := []string{"map", "-pipeline", "fileinfo", "-task-queue", taskQueue,
		"-dir", ft.dir, "-workflow-id", workflowID}
	first := startWorker(t, env, taskQueue)

	started := runStarter(t, env, slices.Concat(mapArgs,
		[]string{"-no-wait", "-concurrency", strconv.Itoa(crashConcurrency)})...)
	require.Equal(t, 0, started.code, "stderr:\n%s", started.stderr)
	require.Equal(t, workflowID+"\n", started.stdout)

	atKill, running := pauseMidway(t, c, first, workflowID)
	first.kill(t)
	killed := time.Now()
	t.Logf("killed the first worker with %d of %d items done; running activities: %d",
		atKill.Done, atKill.Total, running)
	second := startWorker(t, env, taskQueue)

	finished := runCommand(t, recoveryTimeout, env, binaries.starter,
		slices.Concat(mapArgs, []string{"-out", out})...)
	recovery := time.Since(killed)
	require.Less(t, recovery, recoveryTimeout)

	require.Equal(t, 0, finished.code, "stderr:\n%s", finished.stderr)
	require.Contains(t, finished.stderr,
		"workflow "+workflowID+" already exists; reporting it")
	require.Contains(t, finished.stderr,
		fmt.Sprintf("map fileinfo: %d items, 0 failed", crashFiles))
	results, err := os.ReadFile(out)
	require.NoError(t, err)
	requireResults(t, results, ft.paths)

	retried := retriedAttempts(t, c, workflowID)
	require.NotEmpty(t, retried,
		"no activity attempt was retried, so the kill hit no running activity")
	t.Logf("retried attempts: %d; the first completed %v after the kill, and the map "+
		"finished %v after it", len(retried), retried[0].Sub(killed).Round(time.Millisecond),
		recovery.Round(time.Millisecond))
	second.stop(t)
}

// pauseMidway waits until the map has finished some items but not all,
// then pauses the worker with SIGSTOP while it runs activities. A paused
// worker cannot finish them, so a kill that follows hits running work. It
// returns the progress before the pause and the number of activities that
// the server lists as started, on two calls in a row, during the pause.
func pauseMidway(
	t *testing.T, c client.Client, w *workerProcess, workflowID string,
) (temporalrun.Progress, int) {
	t.Helper()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	deadline := time.After(crashProgressTimeout)
	for {
		select {
		case <-ticker.C:
		case <-deadline:
			require.FailNow(t, "map did not start",
				"no item finished within %v", crashProgressTimeout)
		}

		p, err := queryProgress(t.Context(), c, workflowID)
		require.NoError(t, err)
		require.Less(t, p.Done, p.Total-crashConcurrency,
			"the map got near its end before the test could pause the worker")
		if p.Done == 0 {
			continue
		}

		w.signal(t, syscall.SIGSTOP)
		if running := stillRunning(t, c, workflowID); running > 0 {
			return p, running
		}
		w.signal(t, syscall.SIGCONT)
	}
}

// stillRunning returns how many activities the server lists as started, with
// the same attempt, in two calls in a row. A completion that the worker sent
// just before its pause most likely reaches the server before the second
// call, so its activity is not counted.
func stillRunning(t *testing.T, c client.Client, workflowID string) int {
	t.Helper()
	before, err := startedActivities(t.Context(), c, workflowID)
	require.NoError(t, err)
	after, err := startedActivities(t.Context(), c, workflowID)
	require.NoError(t, err)

	running := 0
	for id, attempt := range after {
		if before[id] == attempt {
			running++
		}
	}
	return running
}

// queryProgress returns the progress that the Map workflow reports to
// temporalrun.ProgressQuery. The query fails while no worker is running to handle it.
func queryProgress(
	ctx context.Context, c client.Client, workflowID string,
) (temporalrun.Progress, error) {
	ctx, cancel := context.WithTimeout(ctx, serverCallTimeout)
	defer cancel()
	var p temporalrun.Progress
	value, err := c.QueryWorkflow(ctx, workflowID, "", temporalrun.ProgressQuery)
	if err != nil {
		return p, fmt.Errorf("query the progress of workflow %s: %w", workflowID, err)
	}
	if err := value.Get(&p); err != nil {
		return p, fmt.Errorf("decode the progress of workflow %s: %w", workflowID, err)
	}
	return p, nil
}

// startedActivities returns the attempt number of each of the workflow's
// pending activities that the server lists as started on a worker, by
// activity ID.
func startedActivities(
	ctx context.Context, c client.Client, workflowID string,
) (map[string]int32, error) {
	ctx, cancel := context.WithTimeout(ctx, serverCallTimeout)
	defer cancel()
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return nil, fmt.Errorf("describe workflow %s: %w", workflowID, err)
	}
	started := map[string]int32{}
	for _, a := range desc.GetPendingActivities() {
		if a.GetState() == enums.PENDING_ACTIVITY_STATE_STARTED {
			started[a.GetActivityId()] = a.GetAttempt()
		}
	}
	return started, nil
}

// retriedAttempts returns, in history order, the times at which activity
// attempts after the first completed. The history has one
// ActivityTaskStarted event per activity, for the last attempt: the dev
// server of Temporal CLI v1.5.1 writes it, with the attempt number, just
// before the event that ends the activity.
func retriedAttempts(t *testing.T, c client.Client, workflowID string) []time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), serverCallTimeout)
	defer cancel()
	retriedStarts := map[int64]bool{} // event IDs of ActivityTaskStarted
	var completed []time.Time
	history := c.GetWorkflowHistory(ctx, workflowID, "", false,
		enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for history.HasNext() {
		event, err := history.Next()
		require.NoError(t, err, "read the history of workflow %s", workflowID)
		if event.GetActivityTaskStartedEventAttributes().GetAttempt() > 1 {
			retriedStarts[event.GetEventId()] = true
		}
		done := event.GetActivityTaskCompletedEventAttributes()
		if done != nil && retriedStarts[done.GetStartedEventId()] {
			completed = append(completed, event.GetEventTime().AsTime())
		}
	}
	require.Len(t, completed, len(retriedStarts), "retried attempts that completed")
	return completed
}
