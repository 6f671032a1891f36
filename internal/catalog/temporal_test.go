package catalog_test

import (
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// serverClient dials the Temporal server at TEMPORAL_ADDRESS, and skips the
// test when that variable is unset. `make test` starts a dev server and
// sets it.
func serverClient(t *testing.T) client.Client {
	t.Helper()
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		t.Skip("TEMPORAL_ADDRESS is not set; run `make test` to test against a dev server")
	}
	opts, err := catalog.ClientOptions(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	c, err := catalog.Connect(t.Context(), opts, 10*time.Second)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// startWorker runs a worker for entries on a new task queue until the test
// ends, and returns the task queue.
func startWorker(t *testing.T, c client.Client, entries ...*catalog.Entry) string {
	t.Helper()
	cat, err := catalog.New(entries...)
	require.NoError(t, err)
	taskQueue := "catalog-test-" + rand.Text()
	w, err := worker.New(c, taskQueue, sdkworker.Options{}, cat.Definitions()...)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return taskQueue
}

func waitJob(t *testing.T, job catalog.Job) string {
	t.Helper()
	results, err := job.Wait(t.Context())
	require.NoError(t, err)
	data, err := json.Marshal(results)
	require.NoError(t, err)
	return string(data)
}

func TestStartMatchesLocal(t *testing.T) {
	c := serverClient(t)
	e := newParityEntry(t)
	taskQueue := startWorker(t, c, e)
	items, err := e.DecodeLines(strings.NewReader("2\n3\n4\n5\n"))
	require.NoError(t, err)

	tests := []struct {
		name string
		opts catalog.JobOptions
	}{
		{"settled map", catalog.JobOptions{Map: true, Concurrency: 2}},
		{"fail-fast map", catalog.JobOptions{Map: true, Concurrency: 1, FailFast: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, err := e.RunLocal(t.Context(), items, tt.opts)
			require.NoError(t, err)
			tt.opts.TaskQueue = taskQueue
			remote, err := e.Start(t.Context(), c, items, tt.opts)
			require.NoError(t, err)

			require.NotEmpty(t, remote.WorkflowID())
			require.False(t, remote.Attached())
			require.JSONEq(t, waitJob(t, local), waitJob(t, remote))
		})
	}
}

func TestStartWithWorkflowIDAttaches(t *testing.T) {
	c := serverClient(t)
	e := newParityEntry(t)
	taskQueue := startWorker(t, c, e)
	first, err := e.DecodeLines(strings.NewReader("2\n3\n"))
	require.NoError(t, err)
	second, err := e.DecodeLines(strings.NewReader("8\n"))
	require.NoError(t, err)
	opts := catalog.JobOptions{Map: true, Concurrency: 2, TaskQueue: taskQueue,
		WorkflowID: "catalog-test-" + rand.Text()}

	job, err := e.Start(t.Context(), c, first, opts)
	require.NoError(t, err)
	want := waitJob(t, job)

	again, err := e.Start(t.Context(), c, first, opts)
	require.NoError(t, err)
	require.True(t, again.Attached())
	require.Equal(t, job.RunID(), again.RunID())
	require.Equal(t, 2, again.Total())
	require.JSONEq(t, want, waitJob(t, again))

	_, err = e.Start(t.Context(), c, second, opts)
	require.ErrorIs(t, err, catalog.ErrInputMismatch)
	require.Equal(t, "workflow ID "+opts.WorkflowID+
		" already ran with other input; choose another ID", err.Error())

	single, err := e.DecodeValue([]byte("2"))
	require.NoError(t, err)
	opts.Map = false
	_, err = e.Start(t.Context(), c, single, opts)
	require.ErrorIs(t, err, catalog.ErrWorkflowMismatch)
}

func TestStartSingleRunAttaches(t *testing.T) {
	c := serverClient(t)
	e := newParityEntry(t)
	taskQueue := startWorker(t, c, e)
	odd, err := e.DecodeValue([]byte("3"))
	require.NoError(t, err)
	even, err := e.DecodeValue([]byte("4"))
	require.NoError(t, err)
	opts := catalog.JobOptions{TaskQueue: taskQueue, WorkflowID: "catalog-test-" + rand.Text()}

	job, err := e.Start(t.Context(), c, odd, opts)
	require.NoError(t, err)
	want := waitJob(t, job)
	require.Contains(t, want, `"stage":"check"`)

	again, err := e.Start(t.Context(), c, odd, opts)
	require.NoError(t, err)
	require.True(t, again.Attached())
	require.JSONEq(t, want, waitJob(t, again))

	_, err = e.Start(t.Context(), c, even, opts)
	require.ErrorIs(t, err, catalog.ErrInputMismatch)
}
