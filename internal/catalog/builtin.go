package catalog

import (
	"sync"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

// Builtin returns the catalog of the pipelines that ship with this module:
// fileinfo, which takes a file path and returns the file's size, SHA-256
// digest, line count and content type. The catalog is built once.
func Builtin() (*Catalog, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Catalog, error) {
	files, err := fileinfo.New()
	if err != nil {
		return nil, err
	}
	entry, err := NewEntry(files, EntryOptions[string]{
		Description:   "size, SHA-256, line count and content type of a file",
		ListDirectory: fileinfo.ListFiles,
	})
	if err != nil {
		return nil, err
	}
	return New(entry)
})
