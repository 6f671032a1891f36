package wordfreq_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipelines/wordfreq"
)

func TestListFilesSortedAbsolute(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"b.txt", "a/c.txt", "a.txt"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte("word\n"), 0o644))
	}

	paths, err := wordfreq.ListFiles(dir)

	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "a", "c.txt"),
		filepath.Join(dir, "b.txt")}, paths)
}

func TestListFilesRejectsFile(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "plain.txt", "word")

	_, err := wordfreq.ListFiles(path)

	require.ErrorIs(t, err, wordfreq.ErrNotDirectory)
	var pathErr *fs.PathError
	require.ErrorAs(t, err, &pathErr)
	require.Equal(t, path, pathErr.Path)
}

func TestAbsPath(t *testing.T) {
	t.Parallel()
	_, err := wordfreq.AbsPath("")
	require.ErrorIs(t, err, wordfreq.ErrEmptyPath)

	abs, err := wordfreq.AbsPath("book.txt")
	require.NoError(t, err)
	require.True(t, filepath.IsAbs(abs), abs)
	require.Equal(t, "book.txt", filepath.Base(abs))
}
