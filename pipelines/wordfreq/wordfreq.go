package wordfreq

import (
	"errors"
	"log/slog"
	"time"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Name is the pipeline name, under which workers register it.
const Name = "wordfreq"

// Names of the stages, in the order they run.
const (
	StageCount = "count"
	StageRank  = "rank"
)

// Stage timeouts bound each attempt. CountTimeout limits the size of file
// that can be counted. The count stage reads one rune at a time, and counted
// about 36 MB/s on one core of an AMD EPYC (a benchmark over 1 MiB of
// repeated English sentences), so 10 s covers files of about 300 MB there.
// A file that takes longer fails with a timeout error after its retries.
const (
	CountTimeout = 10 * time.Second
	RankTimeout  = 5 * time.Second
)

// Limits of the counts. They bound the size of the [State], as the package
// documentation explains.
const (
	// TopN is the number of words in [Result.Top].
	TopN = 10
	// MaxWords is the maximum number of distinct words in [State.Counts].
	MaxWords = 5000
	// MaxWordBytes is the maximum length of a counted word, in bytes of
	// its lowercase UTF-8 form.
	MaxWordBytes = 32
)

// retry is the retry policy of every stage: two retries after 200 ms and
// 400 ms for transient errors such as too many open files. Permanent errors
// are not retried.
var retry = pipeline.RetryPolicy{
	Retries: 2,
	Delay:   200 * time.Millisecond,
	Backoff: pipeline.BackoffExponential,
}

// ErrNotRegular means a path names a directory, device, pipe or other file
// that is not a regular file. It comes wrapped in an [*fs.PathError] that
// names the path, inside a [*pipeline.StageError] when returned by a run.
var ErrNotRegular = errors.New("wordfreq: not a regular file")

// State is the run state of the pipeline. It is encoded as JSON between
// stages on Temporal and in the starter's results.
type State struct {
	// Timings has one duration per stage call, filled in by
	// [middleware.Timing]. On Temporal it has one per attempt.
	middleware.Timings `json:"timings,omitempty"`
	// Counts maps each counted lowercase word to its number of occurrences.
	// It holds at most [MaxWords] words.
	Counts map[string]int64 `json:"counts,omitempty"`
	// Words is the number of words in the file, counted or not.
	Words int64 `json:"words"`
	// Uncounted is the number of word occurrences missing from Counts,
	// because the word is longer than [MaxWordBytes] or was first seen
	// after Counts had [MaxWords] words.
	Uncounted int64 `json:"uncounted"`
}

// WordCount is one word of [Result.Top] with its number of occurrences.
type WordCount struct {
	Word  string `json:"word"`
	Count int64  `json:"count"`
}

// Result is the pipeline output.
type Result struct {
	// Path is the file path as given to the pipeline.
	Path string `json:"path"`
	// Top has the [TopN] most frequent counted words, or fewer when the
	// file has fewer, ordered by count, highest first, then by word in byte
	// order. It is empty, not null, for a file without words.
	Top []WordCount `json:"top"`
	// Words is the number of words in the file, as in [State.Words].
	Words int64 `json:"words"`
	// Distinct is the number of distinct counted words.
	Distinct int `json:"distinct"`
	// Uncounted is [State.Uncounted]. When it is not 0, Top may miss words.
	Uncounted int64 `json:"uncounted"`
}

// New returns the wordfreq pipeline with the [middleware.Timing]
// middleware. It is safe for concurrent use, Map included.
func New() (*pipeline.Pipeline[string, Result, State], error) {
	return NewWithLogger(nil)
}

// NewWithLogger returns the wordfreq pipeline that also logs each stage
// call to logger with [middleware.Logging], outside the timing. A nil
// logger logs nothing, as [New] does.
func NewWithLogger(logger *slog.Logger) (*pipeline.Pipeline[string, Result, State], error) {
	middlewares := []pipeline.Middleware[State]{middleware.Timing[State]()}
	if logger != nil {
		logging := middleware.Logging[State](middleware.LoggingOptions{Logger: logger})
		middlewares = append([]pipeline.Middleware[State]{logging}, middlewares...)
	}
	return pipeline.New[string, Result](Name, pipeline.Options[State]{Middleware: middlewares},
		pipeline.NewStateStage(StageCount, countWords,
			pipeline.StageOptions{Timeout: CountTimeout, Retry: retry}),
		pipeline.NewStateStage(StageRank, rankWords,
			pipeline.StageOptions{Timeout: RankTimeout, Retry: retry}),
	)
}
