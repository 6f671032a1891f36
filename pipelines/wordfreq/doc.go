// Package wordfreq is a built-in pipeline that finds the most frequent words
// of a text file. Given a file path it returns a [Result] with the [TopN]
// most frequent words and the word totals.
//
// # Stages
//
// The pipeline runs two stages, each with its own timeout and retries:
//
//   - count streams the file and counts its words into the run state.
//   - rank reads the counts from the run state and returns the top words,
//     ordered by count, highest first, then by word in byte order.
//
// A word is a maximal run of Unicode letters and digits, lowercased, so
// "Don't" is the two words "don" and "t". Bytes that are not valid UTF-8
// separate words.
//
// # Run state
//
// The counts travel in the [State], which a caller passes to Run and reads
// back afterwards. The pipeline also runs the [middleware.Timing]
// middleware, so the state records how long each stage took. On Temporal,
// the worker's interceptor runs that middleware around each activity, and
// the state comes back through the workflow result.
//
// The state keeps at most [MaxWords] distinct words of at most
// [MaxWordBytes] bytes each. That bounds the JSON encoding of the counts to
// 5,000 entries of at most 55 bytes, under 280 KB, well below the 2 MiB that
// the Temporal service allows for one payload by default (v1.29).
// Occurrences of longer words, and of words first seen after the state
// holds MaxWords words, count only in [State.Uncounted], so the top list is
// exact only when Uncounted is 0.
//
// NOTE: the result of a Map workflow holds the state of every item, so a
// Map over many files with large vocabularies can still pass 2 MiB. Split
// such inputs into smaller batches.
//
// A missing file, a path that is not a regular file and a permission error
// are permanent: they are not retried.
//
// # Usage
//
//	p, err := wordfreq.New()
//	if err != nil {
//		return err
//	}
//	var state wordfreq.State
//	res, err := p.Run(ctx, "/path/to/book.txt", &state)
//	// res.Top[0] is the most frequent word, state.Counts has every counted
//	// word and state.Timings the duration of each stage.
package wordfreq
