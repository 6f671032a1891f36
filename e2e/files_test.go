package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fileTree is a directory of files that a test made.
type fileTree struct {
	dir   string
	paths []string // absolute paths of the regular files, sorted in byte order
}

// add writes content to dir/name, creating parent directories.
func (ft *fileTree) add(t *testing.T, name string, content []byte) {
	t.Helper()
	path := filepath.Join(ft.dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, content, 0o644))
	ft.paths = append(ft.paths, path)
	slices.Sort(ft.paths)
}

// randomBytes returns n bytes from rng, NUL bytes and invalid UTF-8
// included.
func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// textLines returns n numbered lines of text, each ending with a newline.
func textLines(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%70))
		b.WriteString("\n")
	}
	return b.Bytes()
}

// sha256sumTimeout bounds one run of the sha256sum command.
const sha256sumTimeout = time.Minute

// sha256sums runs the sha256sum command on paths and returns the digest of
// each path. The test does not hash the files itself, so a digest bug that
// the pipeline shares with the test cannot pass unnoticed.
func sha256sums(t *testing.T, paths []string) map[string]string {
	t.Helper()
	_, err := exec.LookPath("sha256sum")
	require.NoError(t, err, "the sha256sum command (GNU coreutils) is needed to check digests")

	ctx, cancel := context.WithTimeout(t.Context(), sha256sumTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sha256sum", append([]string{"--"}, paths...)...).
		Output()
	require.NoError(t, err, "run sha256sum")

	// Each line is the hex digest, two spaces or a space and "*", and the
	// path. None of the test's paths contains a backslash or newline, the
	// characters that sha256sum escapes.
	sums := make(map[string]string, len(paths))
	scanner := bufio.NewScanner(bytes.NewReader(out))
	for scanner.Scan() {
		digest, path, ok := strings.Cut(scanner.Text(), " ")
		require.True(t, ok, "sha256sum output line %q", scanner.Text())
		sums[path[1:]] = digest
	}
	require.NoError(t, scanner.Err())
	require.Len(t, sums, len(paths), "sha256sum output:\n%s", out)
	return sums
}

// resultLine is one line of the starter's JSON Lines results.
type resultLine struct {
	Index  int             `json:"index"`
	Input  string          `json:"input"`
	Output *fileRecord     `json:"output"`
	Error  json.RawMessage `json:"error"`
}

// fileRecord is the output of the fileinfo pipeline for one file.
type fileRecord struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// requireResults requires that results, the JSON Lines of a fileinfo map,
// hold one successful result per path in the order of paths, each with the
// file's size and the digest that sha256sum computes.
func requireResults(t *testing.T, results []byte, paths []string) {
	t.Helper()
	sums := sha256sums(t, paths)
	lines := strings.Split(strings.TrimSuffix(string(results), "\n"), "\n")
	require.Len(t, lines, len(paths), "one result line per file")

	seen := make(map[string]int, len(paths))
	for i, line := range lines {
		var got resultLine
		require.NoError(t, json.Unmarshal([]byte(line), &got), "result line %d: %s", i, line)
		require.Equal(t, i, got.Index, "index of result line %d", i)
		require.Equal(t, paths[i], got.Input, "input of result line %d", i)
		require.Empty(t, got.Error, "error of result line %d", i)
		require.NotNil(t, got.Output, "output of result line %d", i)
		require.Equal(t, paths[i], got.Output.Path, "path of result line %d", i)
		require.Equal(t, sums[paths[i]], got.Output.SHA256, "digest of %s", paths[i])

		info, err := os.Stat(paths[i])
		require.NoError(t, err)
		require.Equal(t, info.Size(), got.Output.Size, "size of %s", paths[i])
		seen[got.Output.Path]++
	}
	for path, n := range seen {
		require.Equal(t, 1, n, "results for %s", path)
	}
}
