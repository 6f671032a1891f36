package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bounds of the waits on the processes that a test starts.
const (
	// workerStartTimeout bounds the wait for a worker to log that it
	// started polling.
	workerStartTimeout = 30 * time.Second
	// workerStopTimeout bounds the wait for a worker to exit after a
	// signal. SIGTERM lets running activities finish, which takes
	// milliseconds for the files that the tests use.
	workerStopTimeout = 30 * time.Second
	// starterTimeout bounds a starter run, which for these tests takes
	// seconds at most.
	starterTimeout = 2 * time.Minute
	// pollInterval is how often a test checks a condition it waits for.
	pollInterval = 20 * time.Millisecond
)

// outputBuffer is a bytes.Buffer that a process writes to while the test
// reads it.
type outputBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *outputBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *outputBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// workerProcess is a worker binary that a test started. The test's cleanup
// kills it if it still runs, and checks that it reported no data race.
type workerProcess struct {
	cmd    *exec.Cmd
	output *outputBuffer // stdout and stderr
	done   chan struct{} // closed when the process has exited
	err    error         // the result of cmd.Wait, set before done closes
}

// startWorker starts a worker that polls taskQueue, and waits until it logs
// that it started.
func startWorker(t *testing.T, env []string, taskQueue string) *workerProcess {
	t.Helper()
	cmd := exec.Command(binaries.worker, "-task-queue", taskQueue)
	cmd.Env = env
	killWithTest(cmd)
	output := &outputBuffer{}
	cmd.Stdout = output
	cmd.Stderr = output
	require.NoError(t, cmd.Start())

	w := &workerProcess{cmd: cmd, output: output, done: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		close(w.done)
	}()
	t.Cleanup(func() {
		w.kill(t)
		assert.NotContains(t, output.String(), "DATA RACE", "worker output")
	})

	require.Eventually(t, func() bool {
		return w.exited() || strings.Contains(output.String(), `msg="worker started"`)
	}, workerStartTimeout, pollInterval, "worker did not start; output:\n%s", output)
	require.False(t, w.exited(), "worker exited at start: %v; output:\n%s", w.err, output)
	return w
}

func (w *workerProcess) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// waitExit waits until the worker exits, at most workerStopTimeout.
func (w *workerProcess) waitExit(t *testing.T) {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(workerStopTimeout):
		require.FailNow(t, "worker did not exit",
			"no exit within %v; output:\n%s", workerStopTimeout, w.output)
	}
}

// kill sends SIGKILL, so the worker stops at once without finishing or
// reporting its running activities, and waits until it has exited.
func (w *workerProcess) kill(t *testing.T) {
	t.Helper()
	err := w.cmd.Process.Signal(syscall.SIGKILL)
	if !errors.Is(err, os.ErrProcessDone) {
		require.NoError(t, err, "kill the worker")
	}
	w.waitExit(t)
}

// signal sends sig to the worker.
func (w *workerProcess) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, w.cmd.Process.Signal(sig), "send %v to the worker", sig)
}

// stop sends SIGTERM and requires a clean exit with status 0. A binary
// built with -race exits with status 66 when it found a data race.
func (w *workerProcess) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	w.waitExit(t)

	output := w.output.String()
	require.NoError(t, w.err, "worker output:\n%s", output)
	require.Contains(t, output, `msg="worker stopped"`)
}

// commandResult is what one run of a command returned and printed.
type commandResult struct {
	code   int
	stdout string
	stderr string
}

// runStarter runs the starter with args and waits at most starterTimeout
// for it to exit.
func runStarter(t *testing.T, env []string, args ...string) commandResult {
	t.Helper()
	return runCommand(t, starterTimeout, env, binaries.starter, args...)
}

// runCommand runs binary with args and waits at most timeout for it to
// exit.
func runCommand(
	t *testing.T, timeout time.Duration, env []string, binary string, args ...string,
) commandResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()

	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	killWithTest(cmd)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()

	require.NoError(t, ctx.Err(), "%s %q did not exit within %v; stderr:\n%s",
		filepath.Base(binary), args, timeout, stderr.String())
	code, err := exitCode(err)
	require.NoError(t, err, "run %s %q", filepath.Base(binary), args)
	return commandResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
