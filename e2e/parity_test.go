package e2e

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunMatchesLocal(t *testing.T) {
	t.Parallel()
	address := serverAddress(t)
	env := commandEnv(t, address)
	taskQueue := newTaskQueue(t)
	ft := &fileTree{dir: t.TempDir()}
	ft.add(t, "text.txt", textLines(25))
	ft.add(t, "binary.bin", randomBytes(rand.New(rand.NewPCG(5, 6)), 200<<10))
	ft.add(t, "empty", nil)
	w := startWorker(t, env, taskQueue)

	tests := []struct {
		name     string
		path     string
		wantCode int // 1 when the item fails
	}{
		{"text file", filepath.Join(ft.dir, "text.txt"), 0},
		{"binary file", filepath.Join(ft.dir, "binary.bin"), 0},
		{"empty file", filepath.Join(ft.dir, "empty"), 0},
		{"missing file", filepath.Join(ft.dir, "missing"), 1},
		{"directory", ft.dir, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outDir := t.TempDir()
			remoteOut := filepath.Join(outDir, "remote.jsonl")
			localOut := filepath.Join(outDir, "local.jsonl")
			input := `"` + tt.path + `"`

			remote := runStarter(t, env, "run", "-task-queue", taskQueue,
				"-out", remoteOut, input)
			local := runStarter(t, env, "run", "-local", "-out", localOut, input)

			require.Equal(t, tt.wantCode, remote.code, "stderr:\n%s", remote.stderr)
			require.Equal(t, tt.wantCode, local.code, "stderr:\n%s", local.stderr)
			require.Contains(t, remote.stderr, ", workflow fileinfo-run-")
			require.Contains(t, local.stderr, ", in-process")
			require.Equal(t, failureLines(local.stderr), failureLines(remote.stderr))

			remoteResults, err := os.ReadFile(remoteOut)
			require.NoError(t, err)
			localResults, err := os.ReadFile(localOut)
			require.NoError(t, err)
			require.NotEmpty(t, localResults)
			require.Equal(t, string(localResults), string(remoteResults))
		})
	}

	w.stop(t)
}

// failureLines returns the lines of the starter's stderr other than the
// summary, which names the workflow and the duration.
func failureLines(stderr string) []string {
	var lines []string
	for line := range strings.Lines(stderr) {
		if !strings.HasPrefix(line, "run fileinfo: ") {
			lines = append(lines, line)
		}
	}
	return lines
}
