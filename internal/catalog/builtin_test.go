package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/pipelines/wordfreq"
)

// wordFiles writes two text files and returns the JSON Lines input of a Map
// over them and a missing file, and the word counts of the two files.
func wordFiles(t *testing.T) (string, []map[string]int64) {
	t.Helper()
	dir := t.TempDir()
	texts := []string{"Three two THREE one. Two three!", "x y\nx"}
	counts := []map[string]int64{{"three": 3, "two": 2, "one": 1}, {"x": 2, "y": 1}}
	var lines strings.Builder
	for i, text := range texts {
		path := filepath.Join(dir, []string{"a.txt", "b.txt"}[i])
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		data, err := json.Marshal(path)
		require.NoError(t, err)
		lines.Write(append(data, '\n'))
	}
	missing, err := json.Marshal(filepath.Join(dir, "missing.txt"))
	require.NoError(t, err)
	lines.Write(append(missing, '\n'))
	return lines.String(), counts
}

func builtinEntry(t *testing.T, name string) *catalog.Entry {
	t.Helper()
	cat, err := catalog.Builtin()
	require.NoError(t, err)
	e, err := cat.Lookup(name)
	require.NoError(t, err)
	return e
}

// decodeState decodes the run state of r, and requires one timing entry
// per stage in stages.
func decodeState(t *testing.T, r catalog.Result, stages ...string) wordfreq.State {
	t.Helper()
	require.NotEmpty(t, r.State, "result %d has a state", r.Index)
	var state wordfreq.State
	require.NoError(t, json.Unmarshal(r.State, &state))
	require.Len(t, state.Timings, len(stages), "timings of result %d", r.Index)
	for _, stage := range stages {
		require.Len(t, state.Timings[stage], 1, "timings of stage %s in result %d",
			stage, r.Index)
	}
	return state
}

func TestBuiltinWordFreqState(t *testing.T) {
	t.Parallel()
	lines, counts := wordFiles(t)

	results, _ := runLocal(t, builtinEntry(t, wordfreq.Name), lines,
		catalog.JobOptions{Map: true, Concurrency: 2})

	require.Len(t, results, 3)
	for i, want := range counts {
		require.Nil(t, results[i].Error)
		state := decodeState(t, results[i], wordfreq.StageCount, wordfreq.StageRank)
		require.Equal(t, want, state.Counts)
		var out wordfreq.Result
		require.NoError(t, json.Unmarshal(results[i].Output, &out))
		require.Equal(t, len(want), out.Distinct)
	}
	require.Equal(t, wordfreq.StageCount, results[2].Error.Stage)
	failed := decodeState(t, results[2], wordfreq.StageCount)
	require.Empty(t, failed.Counts)
}

func TestBuiltinFileInfoOmitsState(t *testing.T) {
	t.Parallel()
	lines, _ := wordFiles(t)

	results, _ := runLocal(t, builtinEntry(t, "fileinfo"), lines,
		catalog.JobOptions{Map: true, Concurrency: 2})

	require.Len(t, results, 3)
	for _, r := range results {
		require.Nil(t, r.State)
		data, err := json.Marshal(r)
		require.NoError(t, err)
		require.NotContains(t, string(data), `"state"`)
	}
}

func TestBuiltinFailFastOmitsFailedState(t *testing.T) {
	t.Parallel()
	lines, _ := wordFiles(t)

	results, _ := runLocal(t, builtinEntry(t, wordfreq.Name), lines,
		catalog.JobOptions{Map: true, Concurrency: 1, FailFast: true})

	require.Len(t, results, 1, "only the failed item")
	require.Equal(t, 2, results[0].Index)
	require.Nil(t, results[0].State, "a failed item of a fail-fast Map has no state")
}

// withoutTimings returns the state of r with its timings removed, for
// comparing states whose durations differ.
func withoutTimings(t *testing.T, r catalog.Result) wordfreq.State {
	t.Helper()
	var state wordfreq.State
	require.NoError(t, json.Unmarshal(r.State, &state))
	state.Timings = nil
	return state
}

// withoutErr returns a copy of f without the error value, whose Go type
// differs after a round trip through Temporal.
func withoutErr(f *catalog.Failure) *catalog.Failure {
	if f == nil {
		return nil
	}
	c := *f
	c.Err = nil
	return &c
}

func TestStartWordFreqMatchesLocal(t *testing.T) {
	c := serverClient(t)
	e := builtinEntry(t, wordfreq.Name)
	taskQueue := startWorker(t, c, e)
	lines, counts := wordFiles(t)
	items, err := e.DecodeLines(strings.NewReader(lines))
	require.NoError(t, err)
	opts := catalog.JobOptions{Map: true, Concurrency: 2}

	local, err := e.RunLocal(t.Context(), items, opts)
	require.NoError(t, err)
	localResults, err := local.Wait(t.Context())
	require.NoError(t, err)
	opts.TaskQueue = taskQueue
	remote, err := e.Start(t.Context(), c, items, opts)
	require.NoError(t, err)
	remoteResults, err := remote.Wait(t.Context())
	require.NoError(t, err)

	require.Len(t, remoteResults, len(localResults))
	for i, want := range localResults {
		got := remoteResults[i]
		require.Equal(t, string(want.Output), string(got.Output), "output %d", i)
		require.Equal(t, withoutErr(want.Error), withoutErr(got.Error), "error %d", i)
		require.Equal(t, withoutTimings(t, want), withoutTimings(t, got), "state %d", i)
	}
	for i, want := range counts {
		state := decodeState(t, remoteResults[i], wordfreq.StageCount, wordfreq.StageRank)
		require.Equal(t, want, state.Counts)
	}
	decodeState(t, remoteResults[2], wordfreq.StageCount)
}

func TestStartWordFreqSingleRunState(t *testing.T) {
	c := serverClient(t)
	e := builtinEntry(t, wordfreq.Name)
	taskQueue := startWorker(t, c, e)
	lines, counts := wordFiles(t)
	items, err := e.DecodeValue([]byte(strings.SplitN(lines, "\n", 2)[0]))
	require.NoError(t, err)

	job, err := e.Start(t.Context(), c, items, catalog.JobOptions{TaskQueue: taskQueue})
	require.NoError(t, err)
	results, err := job.Wait(t.Context())

	require.NoError(t, err)
	require.Len(t, results, 1)
	require.Nil(t, results[0].Error)
	state := decodeState(t, results[0], wordfreq.StageCount, wordfreq.StageRank)
	require.Equal(t, counts[0], state.Counts)
}
