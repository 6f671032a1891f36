package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
)

// makeVariedTree writes a few dozen files of varied content under a new
// directory: text, binary, empty, in nested directories, and one of 4 MiB.
// It also adds what a listing must skip: a symbolic link and an empty
// directory.
func makeVariedTree(t *testing.T) *fileTree {
	t.Helper()
	ft := &fileTree{dir: t.TempDir()}
	rng := rand.New(rand.NewPCG(1, 2))

	ft.add(t, "README.txt", textLines(40))
	ft.add(t, "empty", nil)
	ft.add(t, "no-final-newline.txt", []byte("first line\nlast line without newline"))
	ft.add(t, "nul-bytes.bin", make([]byte, 1000))
	ft.add(t, "random.bin", randomBytes(rng, 64<<10))
	ft.add(t, "large.bin", randomBytes(rng, 4<<20))
	ft.add(t, "name with spaces.txt", []byte("spaces\n"))
	ft.add(t, "ünïcödé.txt", []byte("Grüße, 世界\n"))
	ft.add(t, ".hidden", []byte("dot file\n"))
	ft.add(t, "page.html", []byte("<!DOCTYPE html><html><body>hi</body></html>\n"))

	// "a-b.txt" and "a.txt" sort before "a/..." in byte order, because '-'
	// and '.' come before '/', but a directory walk visits "a" first.
	ft.add(t, "a-b.txt", []byte("dash\n"))
	ft.add(t, "a.txt", []byte("dot\n"))
	ft.add(t, "a/one.txt", textLines(3))
	ft.add(t, "a/b/two.txt", textLines(7))
	ft.add(t, "a/b/c/d/deep.json", []byte(`{"deep": true}`+"\n"))
	for i := range 24 {
		name := fmt.Sprintf("data/part-%02d.txt", i)
		content := textLines(i * 13)
		if i%3 == 0 {
			name = fmt.Sprintf("data/sub/blob-%02d.bin", i)
			content = randomBytes(rng, i*997)
		}
		ft.add(t, name, content)
	}

	require.NoError(t, os.Symlink("README.txt", filepath.Join(ft.dir, "link-to-readme")))
	require.NoError(t, os.Mkdir(filepath.Join(ft.dir, "empty-dir"), 0o755))
	return ft
}

// summaryPattern matches the summary line of a map on Temporal and captures
// the workflow ID.
var summaryPattern = regexp.MustCompile(`^map fileinfo: (\d+) items, 0 failed, ` +
	`[0-9.]+(?:µs|ms|s|m\S*), workflow (\S+), http://\S+/namespaces/default/workflows/\S+\n$`)

func TestMapDirectory(t *testing.T) {
	t.Parallel()
	address := serverAddress(t)
	env := commandEnv(t, address)
	c := dialServer(t, address)
	taskQueue := newTaskQueue(t)
	ft := makeVariedTree(t)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	w := startWorker(t, env, taskQueue)

	got := runStarter(t, env, "map", "-pipeline", "fileinfo", "-task-queue", taskQueue,
		"-dir", ft.dir, "-out", out)

	require.Equal(t, 0, got.code, "stderr:\n%s", got.stderr)
	require.Empty(t, got.stdout, "results go to -out")
	match := summaryPattern.FindStringSubmatch(got.stderr)
	require.NotNil(t, match, "summary on stderr: %q", got.stderr)
	require.Equal(t, fmt.Sprint(len(ft.paths)), match[1], "item count in the summary")
	results, err := os.ReadFile(out)
	require.NoError(t, err)
	requireResults(t, results, ft.paths)

	// The workflow ran on the server, on the test's task queue.
	ctx, cancel := context.WithTimeout(t.Context(), serverCallTimeout)
	defer cancel()
	desc, err := c.DescribeWorkflowExecution(ctx, match[2], "")
	require.NoError(t, err)
	info := desc.GetWorkflowExecutionInfo()
	require.Equal(t, "fileinfo.map", info.GetType().GetName())
	require.Equal(t, taskQueue, info.GetTaskQueue())
	require.Equal(t, enums.WORKFLOW_EXECUTION_STATUS_COMPLETED, info.GetStatus())

	// The visibility store lists it under the task queue. The bad input test
	// counts workflows with the same query to show that none started.
	require.EventuallyWithT(t, func(collect *assert.CollectT) {
		count, err := countWorkflows(t.Context(), c, taskQueue)
		require.NoError(collect, err)
		require.Equal(collect, int64(1), count, "workflows on task queue %s", taskQueue)
	}, serverCallTimeout, pollInterval)

	w.stop(t)
}
