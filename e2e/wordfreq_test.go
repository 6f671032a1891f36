package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// wordResultLine is one line of the starter's results for wordfreq.
type wordResultLine struct {
	Index  int             `json:"index"`
	Input  string          `json:"input"`
	Output json.RawMessage `json:"output"`
	Error  json.RawMessage `json:"error"`
	State  struct {
		Timings map[string][]int64 `json:"timings"`
		Counts  map[string]int64   `json:"counts"`
		Words   int64              `json:"words"`
	} `json:"state"`
}

// wordOutput is the output of the wordfreq pipeline for one file.
type wordOutput struct {
	Path string `json:"path"`
	Top  []struct {
		Word  string `json:"word"`
		Count int64  `json:"count"`
	} `json:"top"`
	Words int64 `json:"words"`
}

// makeWordText returns text with each word of counts as many times as its
// count, shuffled, in random case, between random separators. The words are
// lowercase ASCII.
func makeWordText(rng *rand.Rand, counts map[string]int64) []byte {
	var words []string
	for _, word := range slices.Sorted(maps.Keys(counts)) {
		for range counts[word] {
			words = append(words, word)
		}
	}
	rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	separators := []string{" ", "\n", ", ", ". ", "; ", " (", ") ", "\t"}
	var b strings.Builder
	for _, word := range words {
		if rng.IntN(2) == 0 {
			word = strings.ToUpper(word)
		}
		b.WriteString(word)
		b.WriteString(separators[rng.IntN(len(separators))])
	}
	return []byte(b.String())
}

func TestMapWordFreqDirectory(t *testing.T) {
	t.Parallel()
	address := serverAddress(t)
	env := commandEnv(t, address)
	taskQueue := newTaskQueue(t)
	rng := rand.New(rand.NewPCG(3, 4))
	counts := map[string]int64{}
	for i := range 40 {
		counts[fmt.Sprintf("word%02d", i)] = int64(1 + (i*7)%23)
	}
	ft := &fileTree{dir: t.TempDir()}
	ft.add(t, "book.txt", makeWordText(rng, counts))
	ft.add(t, "notes/a.txt", textLines(30))
	ft.add(t, "empty.txt", nil)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	localOut := filepath.Join(t.TempDir(), "local.jsonl")
	w := startWorker(t, env, taskQueue)

	got := runStarter(t, env, "map", "-pipeline", "wordfreq", "-task-queue", taskQueue,
		"-dir", ft.dir, "-out", out)
	local := runStarter(t, env, "map", "-pipeline", "wordfreq", "-local",
		"-dir", ft.dir, "-out", localOut)

	require.Equal(t, 0, got.code, "stderr:\n%s", got.stderr)
	require.Equal(t, 0, local.code, "stderr:\n%s", local.stderr)
	require.Contains(t, got.stderr, ", workflow wordfreq-map-")
	lines := readWordResults(t, out, ft.paths)
	localLines := readWordResults(t, localOut, ft.paths)
	for i, line := range lines {
		require.JSONEq(t, string(localLines[i].Output), string(line.Output), "output %d", i)
		require.Equal(t, localLines[i].State.Counts, line.State.Counts, "counts %d", i)
		require.Len(t, line.State.Timings, 2, "timings of %s", line.Input)
		require.Len(t, line.State.Timings["count"], 1, "count timings of %s", line.Input)
		require.Len(t, line.State.Timings["rank"], 1, "rank timings of %s", line.Input)
	}

	book := lines[slices.Index(ft.paths, filepath.Join(ft.dir, "book.txt"))]
	requireTopWords(t, book, counts)
	w.stop(t)
}

// readWordResults reads the results file at path and requires one
// successful line per path, in order.
func readWordResults(t *testing.T, path string, paths []string) []wordResultLine {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	text := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(text, "\n")
	require.Len(t, lines, len(paths), "one result line per file")

	results := make([]wordResultLine, len(lines))
	for i, line := range lines {
		require.NoError(t, json.Unmarshal([]byte(line), &results[i]), "line %d: %s", i, line)
		require.Equal(t, i, results[i].Index, "index of line %d", i)
		require.Equal(t, paths[i], results[i].Input, "input of line %d", i)
		require.Empty(t, results[i].Error, "error of line %d", i)
	}
	return results
}

// requireTopWords requires that line has the top 10 words of counts, by
// count, highest first, then by word, and counts itself in its state.
func requireTopWords(t *testing.T, line wordResultLine, counts map[string]int64) {
	t.Helper()
	words := slices.Collect(maps.Keys(counts))
	slices.SortFunc(words, func(a, b string) int {
		if counts[a] != counts[b] {
			return int(counts[b] - counts[a])
		}
		return strings.Compare(a, b)
	})
	var out wordOutput
	require.NoError(t, json.Unmarshal(line.Output, &out))
	require.Len(t, out.Top, 10)
	for i, entry := range out.Top {
		require.Equal(t, words[i], entry.Word, "word %d of the top list", i)
		require.Equal(t, counts[words[i]], entry.Count, "count of %s", words[i])
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	require.Equal(t, total, out.Words)
	require.Equal(t, counts, line.State.Counts)
}
