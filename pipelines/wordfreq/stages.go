package wordfreq

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// readSize is the buffer size of the count stage.
const readSize = 64 << 10

// runesPerContextCheck is how many runes the count stage reads between two
// checks of its context.
const runesPerContextCheck = 64 << 10

// countWords counts the words of the file at path into state and passes
// path on. It replaces the counts of an earlier attempt.
func countWords(ctx context.Context, path string, state *State) (string, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()

	c := counter{counts: make(map[string]int64)}
	if err := c.read(ctx, bufio.NewReaderSize(f, readSize)); err != nil {
		return "", markPermanent(fmt.Errorf("count words in %s: %w", path, err))
	}
	state.Counts, state.Words, state.Uncounted = c.counts, c.words, c.uncounted
	return path, nil
}

// rankWords returns the [TopN] most frequent words of state.Counts.
func rankWords(_ context.Context, path string, state *State) (Result, error) {
	all := make([]WordCount, 0, len(state.Counts))
	for word, count := range state.Counts {
		all = append(all, WordCount{Word: word, Count: count})
	}
	slices.SortFunc(all, compareWordCounts)
	n := min(TopN, len(all))
	return Result{Path: path, Top: all[:n:n], Words: state.Words, Distinct: len(all),
		Uncounted: state.Uncounted}, nil
}

// compareWordCounts orders by count, highest first, then by word.
func compareWordCounts(a, b WordCount) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return cmp.Compare(a.Word, b.Word)
}

// counter splits text into words and counts them within the limits of
// [State].
type counter struct {
	counts           map[string]int64
	words, uncounted int64
	word             []byte // lowercase UTF-8 of the current word, at most MaxWordBytes
	tooLong          bool   // the current word is longer than MaxWordBytes
}

// read counts the words of r until io.EOF. It returns ctx's error when ctx
// is done, checked every runesPerContextCheck runes.
func (c *counter) read(ctx context.Context, r io.RuneReader) error {
	for n := 0; ; n++ {
		if n%runesPerContextCheck == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ch, _, err := r.ReadRune()
		if errors.Is(err, io.EOF) {
			c.endWord()
			return nil
		}
		if err != nil {
			return err
		}
		if unicode.IsLetter(ch) || unicode.IsDigit(ch) {
			c.addRune(unicode.ToLower(ch))
		} else {
			c.endWord()
		}
	}
}

// addRune appends ch to the current word, or marks the word as too long.
func (c *counter) addRune(ch rune) {
	if len(c.word)+utf8.RuneLen(ch) > MaxWordBytes {
		c.tooLong = true
		return
	}
	c.word = utf8.AppendRune(c.word, ch)
}

// endWord counts the current word, if any, and starts a new one.
func (c *counter) endWord() {
	if len(c.word) == 0 {
		return
	}
	c.words++
	_, known := c.counts[string(c.word)]
	switch {
	case c.tooLong:
		c.uncounted++
	case known || len(c.counts) < MaxWords:
		c.counts[string(c.word)]++
	default:
		c.uncounted++
	}
	c.word, c.tooLong = c.word[:0], false
}

// openRegular opens path for reading after checking that it is a regular
// file. Checking first avoids blocking on opening a named pipe.
func openRegular(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, markPermanent(err)
	}
	if !info.Mode().IsRegular() {
		return nil, pipeline.Permanent(&fs.PathError{Op: "stat", Path: path,
			Err: fmt.Errorf("%w: %s", ErrNotRegular, describeType(info.Mode()))})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, markPermanent(err)
	}
	return f, nil
}

// describeType names the file type in mode for an error message.
func describeType(mode fs.FileMode) string {
	if mode.IsDir() {
		return "directory"
	}
	return "file of type " + mode.Type().String()
}

// markPermanent marks errors that a retry cannot fix as permanent: a
// missing file, a permission error and a path that is too long, loops
// through symbolic links or runs through a file that is not a directory.
// Other errors, such as too many open files, stay retryable.
func markPermanent(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, syscall.ENAMETOOLONG) || errors.Is(err, syscall.ELOOP) ||
		errors.Is(err, syscall.ENOTDIR) {
		return pipeline.Permanent(err)
	}
	return err
}
