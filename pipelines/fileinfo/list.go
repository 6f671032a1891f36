package fileinfo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// ListFiles returns the absolute path of every regular file under dir, at
// any depth, sorted in byte order. Absolute paths let a worker with another
// working directory open the same files.
//
// Symbolic links under dir are skipped, not followed, and so are devices,
// named pipes and sockets. Only dir itself may be a symbolic link to a
// directory.
// A missing dir is an error matching [fs.ErrNotExist], and a dir that is not
// a directory one matching [ErrNotDirectory]; both are [*fs.PathError]
// values naming dir. A subdirectory that cannot be read fails the listing.
func ListFiles(dir string) ([]string, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("list files under %s: %w", dir, err)
	}
	info, err := os.Stat(root)
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, &fs.PathError{Op: "list", Path: dir, Err: pathErr.Err}
	}
	if err != nil {
		return nil, fmt.Errorf("list files under %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "list", Path: dir, Err: ErrNotDirectory}
	}

	var paths []string
	err = filepath.WalkDir(walkRoot(root), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, filepath.Clean(path))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list files under %s: %w", dir, err)
	}
	slices.Sort(paths)
	return paths, nil
}

// walkRoot returns root with a trailing separator when root is a symbolic
// link, because filepath.WalkDir does not descend into a root that is a link
// but does follow one that ends with a separator.
func walkRoot(root string) string {
	info, err := os.Lstat(root)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return root + string(filepath.Separator)
	}
	return root
}

// ErrEmptyPath means an input path that is the empty string.
var ErrEmptyPath = errors.New("fileinfo: empty path")

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
