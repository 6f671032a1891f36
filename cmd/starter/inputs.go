package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// readItems decodes the inputs that f names for entry: the JSON argument or
// stdin for run, the -items file or the -dir listing for map. Every error
// means bad input.
func readItems(f *jobFlags, entry *catalog.Entry, stdin io.Reader) (catalog.Items, error) {
	switch {
	case f.subcommand == "run" && f.hasValue:
		items, err := entry.DecodeValue([]byte(f.value))
		return items, wrapInput("JSON argument", err)
	case f.subcommand == "run":
		data, err := io.ReadAll(stdin)
		if err != nil {
			return catalog.Items{}, &usageError{err: fmt.Errorf("read stdin: %w", err)}
		}
		items, err := entry.DecodeValue(data)
		return items, wrapInput("stdin", err)
	case f.dir != "":
		return listDirectory(entry, f.dir)
	}
	return readLines(entry, f.items, stdin)
}

func listDirectory(entry *catalog.Entry, dir string) (catalog.Items, error) {
	items, err := entry.ListDirectory(dir)
	if errors.Is(err, catalog.ErrNoDirectoryInput) {
		return items, usagef("pipeline %q does not take -dir; give its inputs with -items",
			entry.Name())
	}
	return items, err
}

func readLines(entry *catalog.Entry, path string, stdin io.Reader) (catalog.Items, error) {
	if path == "-" {
		items, err := entry.DecodeLines(stdin)
		return items, wrapInput("stdin", err)
	}
	file, err := os.Open(path)
	if err != nil {
		return catalog.Items{}, &usageError{err: fmt.Errorf("open the -items file: %w", err)}
	}
	defer file.Close()
	items, err := entry.DecodeLines(file)
	return items, wrapInput(path, err)
}

// wrapInput prefixes err with where the input came from. Read errors
// become usage errors, so that every failure here exits with status 2.
func wrapInput(source string, err error) error {
	if err == nil {
		return nil
	}
	var input *catalog.InputError
	if errors.As(err, &input) {
		return fmt.Errorf("%s: %w", source, err)
	}
	return &usageError{err: fmt.Errorf("%s: %w", source, err)}
}
