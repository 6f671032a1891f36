package e2e

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeInput writes content to a new file named name and returns its path.
func writeInput(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestBadInputStartsNoWorkflow(t *testing.T) {
	t.Parallel()
	address := serverAddress(t)
	env := commandEnv(t, address)
	c := dialServer(t, address)
	taskQueue := newTaskQueue(t)
	good := writeInput(t, "good.txt", "content\n")
	malformed := writeInput(t, "malformed.jsonl", "\"a\"\n{\"path\"\n\"c\"\n")
	wrongType := writeInput(t, "wrong-type.jsonl", "\"a\"\n\"b\"\n42\n")
	missingDir := filepath.Join(t.TempDir(), "missing")

	tests := []struct {
		name    string
		args    []string
		message string // the start of the one line on stderr
	}{
		{"unknown pipeline in run", []string{"run", "-pipeline", "nope", `"` + good + `"`},
			`starter: unknown pipeline "nope": known pipelines: fileinfo`},
		{"unknown pipeline in map", []string{"map", "-pipeline", "nope", "-items", wrongType},
			`starter: unknown pipeline "nope": known pipelines: fileinfo`},
		{"malformed JSON argument", []string{"run", `{"path`},
			"starter: JSON argument: malformed JSON: "},
		{"unquoted path argument", []string{"run", good},
			"starter: JSON argument: malformed JSON: "},
		{"malformed JSON Lines", []string{"map", "-items", malformed},
			"starter: " + malformed + ": line 2: malformed JSON: "},
		{"wrong type argument", []string{"run", "42"},
			`starter: JSON argument: pipeline "fileinfo" takes a JSON string: got number`},
		{"wrong type in JSON Lines", []string{"map", "-items", wrongType},
			"starter: " + wrongType +
				`: line 3: pipeline "fileinfo" takes a JSON string: got number`},
		{"missing directory", []string{"map", "-dir", missingDir},
			"starter: invalid directory: list " + missingDir + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// With -no-wait, a starter that wrongly starts a workflow exits
			// at once instead of waiting for a worker that never comes.
			workflowID := newWorkflowID(t)
			args := slices.Concat(tt.args[:1], []string{"-task-queue", taskQueue,
				"-workflow-id", workflowID, "-no-wait"}, tt.args[1:])

			got := runStarter(t, env, args...)

			assert.Equal(t, 2, got.code, "stderr:\n%s", got.stderr)
			assert.Empty(t, got.stdout)
			assert.True(t, strings.HasPrefix(got.stderr, tt.message),
				"stderr %q does not start with %q", got.stderr, tt.message)
			assert.Equal(t, 1, strings.Count(got.stderr, "\n"), "stderr %q", got.stderr)
			requireNoWorkflow(t, c, workflowID)
		})
	}

	// The control workflow, started after the bad inputs, shows that the
	// count below includes the workflows of this task queue. The visibility
	// store lists a workflow a moment after it starts, so a count of 0
	// alone would prove little. No worker polls the queue, so the test
	// terminates the control workflow.
	controlID := newWorkflowID(t)
	control := runStarter(t, env, "run", "-task-queue", taskQueue, "-workflow-id", controlID,
		"-no-wait", `"`+good+`"`)
	require.Equal(t, 0, control.code, "stderr:\n%s", control.stderr)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), serverCallTimeout)
		defer cancel()
		require.NoError(t, c.TerminateWorkflow(ctx, controlID, "", "test finished"))
	})
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		count, err := countWorkflows(t.Context(), c, taskQueue)
		require.NoError(collect, err)
		require.Equal(collect, int64(1), count, "workflows on task queue %s", taskQueue)
	}, serverCallTimeout, pollInterval)
}

// closedAddress returns a 127.0.0.1 address on which nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := l.Addr().String()
	require.NoError(t, l.Close())
	return address
}

func TestUnreachableServer(t *testing.T) {
	t.Parallel()
	address := closedAddress(t)
	env := commandEnv(t, address)
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	require.NoError(t, os.WriteFile(file, []byte("content\n"), 0o644))
	hint := "; start a local one with `make server`\n"

	tests := []struct {
		name    string
		binary  string
		args    []string
		message string // the start of the one line on stderr
	}{
		{"starter run", binaries.starter,
			[]string{"run", "-connect-timeout", "2s", `"` + file + `"`},
			"starter: cannot reach the Temporal server at " + address + ": "},
		{"starter map", binaries.starter,
			[]string{"map", "-connect-timeout", "2s", "-dir", dir},
			"starter: cannot reach the Temporal server at " + address + ": "},
		{"worker", binaries.worker, []string{"-connect-timeout", "2s"},
			"worker: cannot reach the Temporal server at " + address + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runCommand(t, starterTimeout, env, tt.binary, tt.args...)

			require.Equal(t, 2, got.code, "stderr:\n%s", got.stderr)
			require.Empty(t, got.stdout)
			require.True(t, strings.HasPrefix(got.stderr, tt.message),
				"stderr %q does not start with %q", got.stderr, tt.message)
			require.True(t, strings.HasSuffix(got.stderr, hint),
				"stderr %q does not end with %q", got.stderr, hint)
			require.Equal(t, 1, strings.Count(got.stderr, "\n"), "stderr %q", got.stderr)
		})
	}
}
