package fileinfo

import (
	"errors"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Name is the pipeline name, under which workers register it.
const Name = "fileinfo"

// Names of the stages, in the order they run.
const (
	StageStat     = "stat"
	StageHash     = "hash"
	StageClassify = "classify"
)

// Stage timeouts bound each attempt. On Temporal each attempt runs as an
// activity whose start-to-close timeout is derived from the stage timeout,
// and Temporal retries the attempt of a killed worker only once that timeout
// has passed. Short timeouts therefore get such an attempt retried within
// seconds.
//
// HashTimeout limits the size of file that can be hashed. Go's SHA-256
// hashed about 1.3 GB/s on one core of an AMD EPYC with the SHA extensions
// (a benchmark of 64 KiB writes). CPUs without them are estimated to be
// several times slower, so 10 s covers files of a few GB when the disk keeps
// up. A file that takes longer fails with a timeout error after its retries.
const (
	StatTimeout     = 5 * time.Second
	HashTimeout     = 10 * time.Second
	ClassifyTimeout = 5 * time.Second
)

// retry is the retry policy of every stage: two retries after 200 ms and
// 400 ms for transient errors such as too many open files. Permanent errors
// are not retried.
var retry = pipeline.RetryPolicy{
	Retries: 2,
	Delay:   200 * time.Millisecond,
	Backoff: pipeline.BackoffExponential,
}

// Sentinel errors. They come wrapped in an [*fs.PathError] that names the
// path, inside a [*pipeline.StageError] when returned by a run.
var (
	// ErrNotRegular means a path names a directory, device, pipe or other
	// file that is not a regular file.
	ErrNotRegular = errors.New("fileinfo: not a regular file")
	// ErrNotDirectory means the path given to [ListFiles] is not a directory.
	ErrNotDirectory = errors.New("fileinfo: not a directory")
)

// Record is the inventory entry of one file. It is the pipeline's output and
// the value that its stages pass on, with the fields of later stages zero.
type Record struct {
	// Path is the file path as given to the pipeline.
	Path string `json:"path"`
	// Size is the number of bytes that were hashed, so SHA256 and Size
	// always describe the same bytes even if the file changed after stat.
	Size int64 `json:"size"`
	// SHA256 is the lowercase hex SHA-256 digest of the file contents.
	SHA256 string `json:"sha256"`
	// Lines is the number of newline bytes, plus one when the file does not
	// end with a newline. An empty file has 0 lines.
	Lines int64 `json:"lines"`
	// ContentType is the MIME type sniffed from the first 512 bytes by
	// [net/http.DetectContentType], such as "text/plain; charset=utf-8".
	ContentType string `json:"content_type"`
	// Text is true when the first 512 bytes are valid UTF-8 without NUL
	// bytes. It can differ from ContentType, which calls Latin-1 text
	// "text/plain; charset=utf-8", for example.
	Text bool `json:"text"`
}

// State is the run state of the pipeline. It is empty because every fact
// about the file travels in the [Record].
type State struct{}

// New returns the fileinfo pipeline with no hooks or middleware. It is safe
// for concurrent use, Map included.
func New() (*pipeline.Pipeline[string, Record, State], error) {
	return NewWithOptions(pipeline.Options[State]{})
}

// NewWithOptions returns the fileinfo pipeline with the given hooks,
// middleware and logger.
func NewWithOptions(
	opts pipeline.Options[State],
) (*pipeline.Pipeline[string, Record, State], error) {
	return pipeline.New[string, Record](Name, opts,
		pipeline.NewStage(StageStat, statFile,
			pipeline.StageOptions{Timeout: StatTimeout, Retry: retry}),
		pipeline.NewStage(StageHash, hashFile,
			pipeline.StageOptions{Timeout: HashTimeout, Retry: retry}),
		pipeline.NewStage(StageClassify, classifyFile,
			pipeline.StageOptions{Timeout: ClassifyTimeout, Retry: retry}),
	)
}
