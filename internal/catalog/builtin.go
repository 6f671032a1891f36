package catalog

import (
	"sync"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
	"github.com/async-pipeline/async-pipeline-go/pipelines/wordfreq"
)

// Builtin returns the catalog of the pipelines that ship with this module:
//
//   - fileinfo takes a file path and returns the file's size, SHA-256
//     digest, line count and content type.
//   - wordfreq takes a file path and returns the file's most frequent
//     words. Its run state, which results include, has the word counts and
//     the duration of each stage.
//
// Relative input paths are made absolute against this process's working
// directory, so that a worker elsewhere opens the same files. The catalog
// is built once.
func Builtin() (*Catalog, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Catalog, error) {
	files, err := fileInfoEntry()
	if err != nil {
		return nil, err
	}
	words, err := wordFreqEntry()
	if err != nil {
		return nil, err
	}
	return New(files, words)
})

func fileInfoEntry() (*Entry, error) {
	p, err := fileinfo.New()
	if err != nil {
		return nil, err
	}
	return NewEntry(p, EntryOptions[string]{
		Description:   "size, SHA-256, line count and content type of a file",
		ListDirectory: fileinfo.ListFiles,
		Normalize:     fileinfo.AbsPath,
	})
}

func wordFreqEntry() (*Entry, error) {
	p, err := wordfreq.New()
	if err != nil {
		return nil, err
	}
	return NewEntry(p, EntryOptions[string]{
		Description:   "most frequent words of a text file, with per-stage timings",
		ListDirectory: wordfreq.ListFiles,
		Normalize:     wordfreq.AbsPath,
	})
}
