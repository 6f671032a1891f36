package wordfreq

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

// Input errors of [ListFiles] and [AbsPath].
var (
	// ErrNotDirectory means the path given to [ListFiles] is not a directory.
	ErrNotDirectory = errors.New("wordfreq: not a directory")
	// ErrEmptyPath means an input path that is the empty string.
	ErrEmptyPath = errors.New("wordfreq: empty path")
)

// ListFiles returns the absolute path of every regular file under dir, at
// any depth, sorted in byte order, as [fileinfo.ListFiles] does. A dir that
// is not a directory is an [*fs.PathError] matching [ErrNotDirectory].
func ListFiles(dir string) ([]string, error) {
	paths, err := fileinfo.ListFiles(dir)
	var pathErr *fs.PathError
	if errors.Is(err, fileinfo.ErrNotDirectory) && errors.As(err, &pathErr) {
		return nil, &fs.PathError{Op: pathErr.Op, Path: pathErr.Path, Err: ErrNotDirectory}
	}
	return paths, err
}

// AbsPath returns path made absolute against the current working directory,
// so that a worker with another working directory opens the same file. An
// empty path is an error matching [ErrEmptyPath].
func AbsPath(path string) (string, error) {
	if path == "" {
		return "", ErrEmptyPath
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("make %s absolute: %w", path, err)
	}
	return abs, nil
}
