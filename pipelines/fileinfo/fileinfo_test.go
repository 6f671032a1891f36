package fileinfo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

// pngHeader is the 8-byte PNG signature followed by the start of an IHDR
// chunk, enough for content sniffing.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func newPipeline(t *testing.T) *pipeline.Pipeline[string, fileinfo.Record, fileinfo.State] {
	t.Helper()
	p, err := fileinfo.New()
	require.NoError(t, err)
	return p
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestRunRecord(t *testing.T) {
	t.Parallel()
	long := make([]byte, 0, 300_000)
	for len(long) < 250_000 {
		long = append(long, "a line of text that repeats\n"...)
	}
	tests := []struct {
		name        string
		data        []byte
		lines       int64
		contentType string
		text        bool
	}{
		{"empty file", nil, 0, "text/plain; charset=utf-8", true},
		{"trailing newline", []byte("one\ntwo\nthree\n"), 3, "text/plain; charset=utf-8", true},
		{"no trailing newline", []byte("one\ntwo\nthree"), 3, "text/plain; charset=utf-8", true},
		{"blank lines", []byte("\n\n\n"), 3, "text/plain; charset=utf-8", true},
		{"longer than one read", long, int64(len(long) / 28), "text/plain; charset=utf-8", true},
		{"html", []byte("<!DOCTYPE html><p>hi</p>\n"), 1, "text/html; charset=utf-8", true},
		{"png", pngHeader, 3, "image/png", false},
		{"nul bytes", []byte("a\x00b\n"), 1, "application/octet-stream", false},
		{"latin-1 text", []byte("caf\xe9\n"), 1, "text/plain; charset=utf-8", false},
	}
	p := newPipeline(t)
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, dir, tt.name, tt.data)

			rec, err := p.Run(t.Context(), path, nil)

			require.NoError(t, err)
			require.Equal(t, path, rec.Path)
			require.Equal(t, int64(len(tt.data)), rec.Size)
			require.Equal(t, sha256Hex(tt.data), rec.SHA256)
			require.Equal(t, tt.lines, rec.Lines)
			require.Equal(t, tt.contentType, rec.ContentType)
			require.Equal(t, tt.text, rec.Text)
		})
	}
}

func TestRunTextHintIgnoresSplitCharacter(t *testing.T) {
	t.Parallel()
	// 511 ASCII bytes then "é" (2 bytes): the 512-byte sample ends inside it.
	data := []byte(strings.Repeat("x", 511) + "é tail\n")
	path := writeFile(t, t.TempDir(), "split.txt", data)

	rec, err := newPipeline(t).Run(t.Context(), path, nil)

	require.NoError(t, err)
	require.True(t, rec.Text)
}

func TestRunPermanentErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name   string
		path   string
		target error
	}{
		{"missing file", filepath.Join(dir, "missing.txt"), fs.ErrNotExist},
		{"directory", dir, fileinfo.ErrNotRegular},
		{"name too long", filepath.Join(dir, strings.Repeat("n", 300)), syscall.ENAMETOOLONG},
		{"file as directory", filepath.Join(writeFile(t, dir, "plain.txt", nil), "child"),
			syscall.ENOTDIR},
		{"symbolic link loop", filepath.Join(dir, "loop", "child"), syscall.ELOOP},
	}
	require.NoError(t, os.Symlink("loop", filepath.Join(dir, "loop")))
	p := newPipeline(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Run(t.Context(), tt.path, nil)

			require.ErrorIs(t, err, tt.target)
			require.ErrorIs(t, err, pipeline.ErrPermanent)
			var stageErr *pipeline.StageError
			require.ErrorAs(t, err, &stageErr)
			require.Equal(t, fileinfo.StageStat, stageErr.Stage)
			require.Equal(t, 1, stageErr.Attempts, "a permanent error is not retried")
			var pathErr *fs.PathError
			require.ErrorAs(t, err, &pathErr)
			require.Equal(t, tt.path, pathErr.Path)
		})
	}
}

func TestStagesRejectFileGoneAfterStat(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name   string
		stage  string
		path   string
		target error
	}{
		{"hash missing file", fileinfo.StageHash, filepath.Join(dir, "gone"), fs.ErrNotExist},
		{"hash directory", fileinfo.StageHash, dir, fileinfo.ErrNotRegular},
		{"classify missing file", fileinfo.StageClassify, filepath.Join(dir, "gone"),
			fs.ErrNotExist},
		{"classify directory", fileinfo.StageClassify, dir, fileinfo.ErrNotRegular},
	}
	p := newPipeline(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.RunHandler(t.Context(), tt.stage, fileinfo.Record{Path: tt.path},
				&fileinfo.State{})

			require.ErrorIs(t, err, tt.target)
			require.ErrorIs(t, err, pipeline.ErrPermanent)
			var pathErr *fs.PathError
			require.ErrorAs(t, err, &pathErr)
			require.Equal(t, tt.path, pathErr.Path)
		})
	}
}

func TestMapKeepsListingOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := map[string][]byte{}
	for i, name := range []string{"b.bin", "a.txt", "sub/c.txt", "sub/deeper/d.txt", "e"} {
		// Sizes fall with i so that later items tend to finish first.
		data := make([]byte, (5-i)*200_000)
		data = append(data, name...)
		want[writeFile(t, dir, name, data)] = data
	}
	paths, err := fileinfo.ListFiles(dir)
	require.NoError(t, err)
	require.Len(t, paths, len(want))

	records, err := newPipeline(t).Map(t.Context(), paths, 4, nil)

	require.NoError(t, err)
	require.Len(t, records, len(paths))
	for i, rec := range records {
		require.Equal(t, paths[i], rec.Path, "record %d", i)
		require.Equal(t, sha256Hex(want[rec.Path]), rec.SHA256, "record %d", i)
	}
}

func TestStageTimeoutsAndRetries(t *testing.T) {
	t.Parallel()
	stages := newPipeline(t).Stages()
	names := make([]string, len(stages))
	for i, st := range stages {
		names[i] = st.Name()
		opts := st.Options()
		require.Positive(t, opts.Timeout, "stage %s", st.Name())
		require.LessOrEqual(t, opts.Timeout, fileinfo.HashTimeout, "stage %s", st.Name())
		require.Positive(t, opts.Retry.Retries, "stage %s", st.Name())
	}
	require.Equal(t,
		[]string{fileinfo.StageStat, fileinfo.StageHash, fileinfo.StageClassify}, names)
}

func TestNewWithOptionsRunsMiddleware(t *testing.T) {
	t.Parallel()
	var seen []string
	p, err := fileinfo.NewWithOptions(pipeline.Options[fileinfo.State]{
		Middleware: []pipeline.Middleware[fileinfo.State]{
			func(ctx context.Context, stage string, input any, state *fileinfo.State,
				next pipeline.Handler[fileinfo.State]) (any, error) {
				seen = append(seen, stage)
				return next(ctx, input, state)
			},
		},
	})
	require.NoError(t, err)
	path := writeFile(t, t.TempDir(), "f.txt", []byte("x\n"))

	_, err = p.Run(t.Context(), path, nil)

	require.NoError(t, err)
	require.Equal(t,
		[]string{fileinfo.StageStat, fileinfo.StageHash, fileinfo.StageClassify}, seen)
}

func TestHashSetsSizeFromBytesRead(t *testing.T) {
	t.Parallel()
	data := []byte("grew after stat\n")
	path := writeFile(t, t.TempDir(), "grown.txt", data)
	statRecord := fileinfo.Record{Path: path, Size: 3}

	out, err := newPipeline(t).RunHandler(t.Context(), fileinfo.StageHash, statRecord,
		&fileinfo.State{})

	require.NoError(t, err)
	rec, ok := out.(fileinfo.Record)
	require.True(t, ok, "output type %T", out)
	require.Equal(t, int64(len(data)), rec.Size)
	require.Equal(t, sha256Hex(data), rec.SHA256)
}
