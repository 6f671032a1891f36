package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// useServer points the starter at the Temporal server at TEMPORAL_ADDRESS
// with an empty config file, and returns a client of it. It skips the test
// when TEMPORAL_ADDRESS is unset.
func useServer(t *testing.T) client.Client {
	t.Helper()
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		t.Skip("TEMPORAL_ADDRESS is not set; run the tests under scripts/temporal-server.sh run")
	}
	t.Setenv("TEMPORAL_CONFIG_FILE", filepath.Join(t.TempDir(), "temporal.toml"))
	t.Setenv("TEMPORAL_PROFILE", "")
	t.Setenv("TEMPORAL_NAMESPACE", "")
	opts, err := catalog.ClientOptions(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	c, err := catalog.Connect(t.Context(), opts, 10*time.Second)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// startWorker runs a worker of the built-in pipelines on a new task queue
// until the test ends, and returns the task queue.
func startWorker(t *testing.T, c client.Client) string {
	t.Helper()
	cat, err := catalog.Builtin()
	require.NoError(t, err)
	taskQueue := "starter-test-" + rand.Text()
	w, err := worker.New(c, taskQueue, sdkworker.Options{}, cat.Definitions()...)
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return taskQueue
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	data, err := json.Marshal(s)
	require.NoError(t, err)
	return string(data)
}

func TestWorkflowIDReuse(t *testing.T) {
	c := useServer(t)
	taskQueue := startWorker(t, c)
	dir := t.TempDir()
	first := writeFile(t, dir, "first.txt", "first\n")
	second := writeFile(t, dir, "second.txt", "second\n")
	workflowID := "starter-test-" + rand.Text()
	t.Chdir(dir)
	start := func(input string) outcome {
		return runStarter(t, "", "run", "-task-queue", taskQueue, "-workflow-id", workflowID,
			input)
	}

	got := start(jsonString(t, first))
	require.Equal(t, 0, got.code, got.stderr)

	again := start(`"first.txt"`)
	require.Equal(t, 0, again.code, again.stderr)
	require.Contains(t, again.stderr, "already exists; reporting it")
	require.Equal(t, got.stdout, again.stdout)

	other := start(jsonString(t, second))
	require.ErrorIs(t, other.err, catalog.ErrInputMismatch)
	require.Equal(t, 2, other.code)
	require.Empty(t, other.stdout)
	require.Equal(t, "starter: workflow ID "+workflowID+
		" already ran with other input; choose another ID\n", other.stderr)
}

func TestMissingNamespace(t *testing.T) {
	useServer(t)
	namespace := "starter-test-missing-" + strings.ToLower(rand.Text())
	t.Setenv("TEMPORAL_NAMESPACE", namespace)

	got := runStarter(t, "", "run", `"/etc/hostname"`)

	require.ErrorIs(t, got.err, catalog.ErrClientConfig)
	require.Equal(t, 2, got.code)
	require.Equal(t, "starter: namespace \""+namespace+"\" is not found on the Temporal "+
		"server; check TEMPORAL_NAMESPACE or create it with `temporal operator namespace "+
		"create --namespace "+namespace+"`\n", got.stderr)
}

func TestNoWorkerHint(t *testing.T) {
	c := useServer(t)
	saved := noProgressHintDelay
	noProgressHintDelay = 500 * time.Millisecond
	t.Cleanup(func() { noProgressHintDelay = saved })
	path := writeFile(t, t.TempDir(), "notes.txt", "one\n")
	taskQueue := "starter-test-nobody-polls-" + rand.Text()
	wantHint := "no worker may be polling task queue " + taskQueue +
		" (start one with bin/worker -task-queue " + taskQueue + ")\n"

	for _, subcommand := range []string{"run", "map"} {
		t.Run(subcommand, func(t *testing.T) {
			workflowID := "starter-test-" + rand.Text()
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				require.NoError(t, c.TerminateWorkflow(ctx, workflowID, "", "test finished"))
			})
			args := []string{subcommand, "-task-queue", taskQueue, "-workflow-id", workflowID}
			if subcommand == "run" {
				args = append(args, jsonString(t, path))
			} else {
				args = append(args, "-items", "-")
			}
			// Cancel, as SIGINT does, rather than set a deadline, because the
			// server can reply to a deadline before the context reports it.
			ctx, cancel := context.WithCancel(t.Context())
			defer time.AfterFunc(3*time.Second, cancel).Stop()

			got := runStarterContext(ctx, t, jsonString(t, path)+"\n", args...)

			require.Equal(t, 1, got.code)
			require.Equal(t, 1, strings.Count(got.stderr, wantHint), got.stderr)
			require.Contains(t, got.stderr, "starter: interrupted; workflow "+workflowID)
		})
	}
}
