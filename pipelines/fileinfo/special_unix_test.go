//go:build unix

package fileinfo_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

func TestListFilesSkipsLinksAndSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := t.TempDir()
	regular := writeFile(t, dir, "regular", []byte("x"))
	writeFile(t, outside, "hidden", []byte("y"))
	require.NoError(t, os.Symlink(regular, filepath.Join(dir, "link-to-file")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link-to-dir")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))

	paths, err := fileinfo.ListFiles(dir)

	require.NoError(t, err)
	require.Equal(t, []string{regular}, paths)
}

func TestRunRejectsNamedPipe(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))

	_, err := newPipeline(t).Run(t.Context(), fifo, nil)

	require.ErrorIs(t, err, fileinfo.ErrNotRegular)
	require.ErrorIs(t, err, pipeline.ErrPermanent)
}
