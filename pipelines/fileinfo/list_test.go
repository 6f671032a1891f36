package fileinfo_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

func TestListFilesOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"b", "a.txt", "a/z", "a/b/c", "A", "a-b"} {
		writeFile(t, dir, name, []byte(name))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o755))

	paths, err := fileinfo.ListFiles(dir)

	require.NoError(t, err)
	var want []string
	// Byte order: "A" < "a-b" < "a.txt" < "a/b/c" < "a/z" < "b".
	for _, name := range []string{"A", "a-b", "a.txt", "a/b/c", "a/z", "b"} {
		want = append(want, filepath.Join(dir, name))
	}
	require.Equal(t, want, paths)
}

func TestListFilesFollowsLinkedRoot(t *testing.T) {
	t.Parallel()
	target := t.TempDir()
	writeFile(t, target, "f", []byte("x"))
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(target, link))

	paths, err := fileinfo.ListFiles(link)

	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(link, "f")}, paths)
}

func TestListFilesRelativeDirGivesAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "f", []byte("x"))
	t.Chdir(dir)

	paths, err := fileinfo.ListFiles(".")

	require.NoError(t, err)
	require.Len(t, paths, 1)
	require.True(t, filepath.IsAbs(paths[0]), "path %q", paths[0])
	want, err := filepath.EvalSymlinks(filepath.Join(dir, "f"))
	require.NoError(t, err)
	got, err := filepath.EvalSymlinks(paths[0])
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestListFilesErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := writeFile(t, dir, "file", []byte("x"))
	tests := []struct {
		name   string
		dir    string
		target error
	}{
		{"missing directory", filepath.Join(dir, "missing"), fs.ErrNotExist},
		{"file instead of directory", file, fileinfo.ErrNotDirectory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			paths, err := fileinfo.ListFiles(tt.dir)

			require.ErrorIs(t, err, tt.target)
			require.Nil(t, paths)
			var pathErr *fs.PathError
			require.ErrorAs(t, err, &pathErr)
			require.Equal(t, tt.dir, pathErr.Path)
		})
	}
}

func TestAbsPathUsesWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	got, err := fileinfo.AbsPath("notes.txt")

	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "notes.txt"), got)
}

func TestAbsPathRejectsEmptyPath(t *testing.T) {
	t.Parallel()
	_, err := fileinfo.AbsPath("")

	require.ErrorIs(t, err, fileinfo.ErrEmptyPath)
}
