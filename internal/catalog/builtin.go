package catalog

import (
	"sync"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

// Builtin returns the catalog of the pipelines that ship with this module:
// fileinfo, which takes a file path and returns the file's size, SHA-256
// digest, line count and content type. Its relative input paths are made
// absolute against this process's working directory, so that a worker
// elsewhere opens the same files. The catalog is built once.
func Builtin() (*Catalog, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Catalog, error) {
	files, err := fileinfo.New()
	if err != nil {
		return nil, err
	}
	entry, err := NewEntry(files, EntryOptions[string]{
		Description:   "size, SHA-256, line count and content type of a file",
		ListDirectory: fileinfo.ListFiles,
		Normalize:     fileinfo.AbsPath,
	})
	if err != nil {
		return nil, err
	}
	return New(entry)
})
