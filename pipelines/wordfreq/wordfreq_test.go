package wordfreq_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/pipelines/wordfreq"
)

func newPipeline(t *testing.T) *pipeline.Pipeline[string, wordfreq.Result, wordfreq.State] {
	t.Helper()
	p, err := wordfreq.New()
	require.NoError(t, err)
	return p
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// separators are the non-word runs that makeText puts between words.
var separators = []string{" ", "\n", ", ", ". ", "\t", " -- ", "'", "\xff", "!\r\n", "…"}

// makeText writes every word of counts as many times as its count, in a
// random order, with random case and random separators. The words must be
// lowercase.
func makeText(rng *rand.Rand, counts map[string]int64) string {
	var words []string
	for _, word := range slices.Sorted(maps.Keys(counts)) {
		for range counts[word] {
			words = append(words, word)
		}
	}
	rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	var b strings.Builder
	for _, word := range words {
		switch rng.IntN(3) {
		case 0:
			word = strings.ToUpper(word)
		case 1:
			first, size := utf8.DecodeRuneInString(word)
			word = string(unicode.ToUpper(first)) + word[size:]
		}
		b.WriteString(separators[rng.IntN(len(separators))])
		b.WriteString(word)
	}
	return b.String()
}

// expectedTop sorts counts by count, highest first, then by word, and
// returns the first wordfreq.TopN.
func expectedTop(counts map[string]int64) []wordfreq.WordCount {
	all := []wordfreq.WordCount{}
	for word, count := range counts {
		all = append(all, wordfreq.WordCount{Word: word, Count: count})
	}
	slices.SortFunc(all, func(a, b wordfreq.WordCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Word, b.Word)
	})
	return all[:min(wordfreq.TopN, len(all))]
}

func sum(counts map[string]int64) int64 {
	var total int64
	for _, c := range counts {
		total += c
	}
	return total
}

func TestRunCountsAndRanks(t *testing.T) {
	t.Parallel()
	small := map[string]int64{"the": 9, "and": 7, "zeta": 5, "alpha": 5, "über": 4,
		"x2": 4, "b": 3, "c": 3, "d": 2, "e": 2, "f": 1, "g": 1, "日本": 6}
	large := map[string]int64{}
	for i := range 2000 {
		large[fmt.Sprintf("w%04d", i)] = int64(1 + i%37)
	}
	tests := []struct {
		name   string
		counts map[string]int64
	}{
		{"ties and unicode", small},
		{"longer than one read", large},
		{"no words", map[string]int64{}},
	}
	p := newPipeline(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "text.txt", makeText(rand.New(rand.NewPCG(1, uint64(i))), tt.counts))
			var state wordfreq.State

			res, err := p.Run(t.Context(), path, &state)

			require.NoError(t, err)
			require.Equal(t, path, res.Path)
			require.Equal(t, expectedTop(tt.counts), res.Top)
			require.Equal(t, sum(tt.counts), res.Words)
			require.Equal(t, len(tt.counts), res.Distinct)
			require.Zero(t, res.Uncounted)
			require.Equal(t, sum(tt.counts), state.Words)
			require.Len(t, state.Counts, len(tt.counts))
			for word, count := range tt.counts {
				require.Equal(t, count, state.Counts[word], "count of %q", word)
			}
		})
	}
}

func TestRunTopBreaksTiesByWord(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "ties.txt", "b a c b a c d")

	res, err := newPipeline(t).Run(t.Context(), path, nil)

	require.NoError(t, err)
	require.Equal(t, []wordfreq.WordCount{{"a", 2}, {"b", 2}, {"c", 2}, {"d", 1}}, res.Top)
}

func TestRunEmptyTopIsArray(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "empty.txt", "")

	res, err := newPipeline(t).Run(t.Context(), path, nil)

	require.NoError(t, err)
	data, err := json.Marshal(res)
	require.NoError(t, err)
	require.Contains(t, string(data), `"top":[]`)
}

func TestRunRecordsTimingPerStage(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "a.txt", "one two two")
	var state wordfreq.State

	_, err := newPipeline(t).Run(t.Context(), path, &state)

	require.NoError(t, err)
	require.Len(t, state.Timings, 2)
	require.Len(t, state.Timings[wordfreq.StageCount], 1)
	require.Len(t, state.Timings[wordfreq.StageRank], 1)
}

func TestRunCapsDistinctWords(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range wordfreq.MaxWords + 10 {
		fmt.Fprintf(&b, "w%d ", i)
	}
	b.WriteString("w0 w1 ") // seen before the cap: still counted
	b.WriteString(strings.Repeat("l", wordfreq.MaxWordBytes) + " ")
	b.WriteString(strings.Repeat("l", wordfreq.MaxWordBytes+1))
	path := writeFile(t, "many.txt", b.String())
	var state wordfreq.State

	res, err := newPipeline(t).Run(t.Context(), path, &state)

	require.NoError(t, err)
	require.Len(t, state.Counts, wordfreq.MaxWords)
	require.Equal(t, int64(2), state.Counts["w0"])
	require.Equal(t, int64(2), state.Counts["w1"])
	require.NotContains(t, state.Counts, fmt.Sprintf("w%d", wordfreq.MaxWords))
	require.NotContains(t, state.Counts, strings.Repeat("l", wordfreq.MaxWordBytes),
		"a new word after the cap is not counted")
	require.Equal(t, int64(10+2), state.Uncounted, "10 new words, one at the limit, one too long")
	require.Equal(t, int64(wordfreq.MaxWords+10+4), state.Words)
	require.Equal(t, state.Uncounted, res.Uncounted)
	require.Equal(t, wordfreq.MaxWords, res.Distinct)
}

func TestRunCountsWordAtMaxLength(t *testing.T) {
	t.Parallel()
	atMax := strings.Repeat("é", wordfreq.MaxWordBytes/2)
	tooLong := strings.Repeat("é", wordfreq.MaxWordBytes/2) + "x"
	path := writeFile(t, "long.txt", atMax+" "+tooLong)
	var state wordfreq.State

	_, err := newPipeline(t).Run(t.Context(), path, &state)

	require.NoError(t, err)
	require.Equal(t, map[string]int64{atMax: 1}, state.Counts)
	require.Equal(t, int64(1), state.Uncounted)
	require.Equal(t, int64(2), state.Words)
}

func TestStateSizeAtLimits(t *testing.T) {
	t.Parallel()
	state := wordfreq.State{Counts: map[string]int64{}, Words: math.MaxInt64,
		Uncounted: math.MaxInt64}
	for i := range wordfreq.MaxWords {
		word := fmt.Sprintf("%0*d", wordfreq.MaxWordBytes, i)
		state.Counts[word] = math.MaxInt64
	}
	state.RecordTiming(wordfreq.StageCount, math.MaxInt64)
	state.RecordTiming(wordfreq.StageRank, math.MaxInt64)

	data, err := json.Marshal(state)

	require.NoError(t, err)
	require.Less(t, len(data), 280_000, "the size that the package documentation states")
	var decoded wordfreq.State
	require.NoError(t, json.Unmarshal(data, &decoded))
	require.Equal(t, state, decoded)
}

func TestRunPermanentErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name   string
		path   string
		target error
	}{
		{"missing file", filepath.Join(dir, "missing.txt"), fs.ErrNotExist},
		{"directory", dir, wordfreq.ErrNotRegular},
	}
	p := newPipeline(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.Run(t.Context(), tt.path, nil)

			require.ErrorIs(t, err, tt.target)
			require.ErrorIs(t, err, pipeline.ErrPermanent)
			var stageErr *pipeline.StageError
			require.ErrorAs(t, err, &stageErr)
			require.Equal(t, wordfreq.StageCount, stageErr.Stage)
			require.Equal(t, 1, stageErr.Attempts, "a permanent error is not retried")
			var pathErr *fs.PathError
			require.ErrorAs(t, err, &pathErr)
			require.Equal(t, tt.path, pathErr.Path)
			require.Contains(t, err.Error(), tt.path)
		})
	}
}
