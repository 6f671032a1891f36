package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// resultsFile is the destination of the JSON Lines results: stdout or the
// -out file. The file is written to a temporary file beside it and renamed
// into place once complete, so a failed or interrupted run leaves no
// partial file.
type resultsFile struct {
	w    io.Writer
	tmp  *os.File // nil when writing to stdout
	path string
}

// openResults prepares path for the results, or stdout when path is empty
// or "-", and creates the missing parent directories of path. It fails
// early, before anything starts, when path cannot be written.
func openResults(path string, stdout io.Writer) (*resultsFile, error) {
	if path == "" || path == "-" {
		return &resultsFile{w: stdout}, nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return nil, usagef("-out %s is a directory", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, &usageError{err: fmt.Errorf("create the -out directory: %w", err)}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("create the -out file: %w", err)}
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("create the -out file: %w", err)
	}
	return &resultsFile{w: tmp, tmp: tmp, path: path}, nil
}

// write writes one JSON object per result, each on its own line.
func (r *resultsFile) write(results []catalog.Result) error {
	bw := bufio.NewWriter(r.w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range results {
		if err := enc.Encode(&results[i]); err != nil {
			return fmt.Errorf("write result %d: %w", results[i].Index, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// commit moves the written results into place at the -out path.
func (r *resultsFile) commit() error {
	if r.tmp == nil {
		return nil
	}
	tmp := r.tmp
	r.tmp = nil
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	if err := os.Rename(tmp.Name(), r.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	return nil
}

// discard removes the temporary file unless commit moved it into place.
func (r *resultsFile) discard() {
	if r.tmp != nil {
		r.tmp.Close()
		os.Remove(r.tmp.Name())
		r.tmp = nil
	}
}
