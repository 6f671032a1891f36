package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// modulePath is the import path of the module whose commands are tested.
const modulePath = "github.com/async-pipeline/async-pipeline-go"

// buildTimeout bounds the build of both binaries. A build with -race and a
// cold build cache is estimated to take a few minutes on 2 cores.
const buildTimeout = 10 * time.Minute

// binaries holds the paths of the commands that TestMain built.
var binaries struct {
	worker  string
	starter string
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the binaries into a temporary directory, runs the tests
// and removes the directory.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "e2e-bin-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: create the binary directory: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)

	if err := buildBinaries(dir); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	return m.Run()
}

// buildBinaries builds cmd/worker and cmd/starter into dir, with the race
// detector when this test binary has it.
func buildBinaries(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()

	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceEnabled() {
		args = append(args, "-race")
	}
	args = append(args, modulePath+"/cmd/worker", modulePath+"/cmd/starter")
	out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}

	binaries.worker = filepath.Join(dir, "worker")
	binaries.starter = filepath.Join(dir, "starter")
	return nil
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// serverAddress returns TEMPORAL_ADDRESS, and skips the test when it is
// unset.
func serverAddress(t *testing.T) string {
	t.Helper()
	address := os.Getenv("TEMPORAL_ADDRESS")
	if address == "" {
		t.Skip("TEMPORAL_ADDRESS is not set; run `make test`, or start a server with " +
			"`make server` and set TEMPORAL_ADDRESS=127.0.0.1:7233")
	}
	return address
}

// commandEnv returns the environment of a worker or starter that the test
// starts: this process's environment without any TEMPORAL_* variable, then
// TEMPORAL_ADDRESS set to address and a config file that does not exist. A
// profile or namespace of the developer's own therefore cannot change
// where the commands connect. GORACE gains atexit_sleep_ms=0, because a
// binary built with -race otherwise sleeps 1 s before it exits.
func commandEnv(t *testing.T, address string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"TEMPORAL_ADDRESS="+address,
		"TEMPORAL_CONFIG_FILE="+filepath.Join(t.TempDir(), "temporal.toml"),
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// newTaskQueue returns a task queue name that no other test or earlier run
// uses.
func newTaskQueue(t *testing.T) string {
	return "e2e-" + idPart(t.Name()) + "-" + strings.ToLower(rand.Text()[:10])
}

// newWorkflowID returns a workflow ID that no other test or earlier run
// uses.
func newWorkflowID(t *testing.T) string {
	return "e2e-" + idPart(t.Name()) + "-" + strings.ToLower(rand.Text())
}

// idPart turns a test name into lowercase words joined by dashes.
func idPart(name string) string {
	name = strings.ToLower(name)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
}

// exitCode returns the exit status in err from exec.Cmd.Wait or Run: 0 for
// nil, the status for an *exec.ExitError, or the error itself otherwise.
func exitCode(err error) (int, error) {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.ExitCode(), nil
	}
	return 0, err
}
