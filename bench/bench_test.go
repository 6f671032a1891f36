package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/async-pipeline/async-pipeline-go/pipelines/fileinfo"
)

var discardLogger = slog.New(slog.DiscardHandler)

// writeTree writes a few small files of different kinds under a new
// directory and returns their paths as fileinfo.ListFiles lists them.
func writeTree(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"a.txt":       []byte("one\ntwo\n"),
		"b.bin":       {0, 1, 2, 3, 0xff},
		"empty":       nil,
		"sub/c.go":    []byte("package c\n\nfunc C() {}"),
		"sub/d/e.txt": bytes.Repeat([]byte("line\n"), 1000),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, data, 0o644))
	}
	paths, err := fileinfo.ListFiles(dir)
	require.NoError(t, err)
	require.Len(t, paths, len(files))
	return paths
}

// newTestRunner returns a runner for paths on c, at concurrency 2.
func newTestRunner(t *testing.T, c *envClient, paths []string) *runner {
	t.Helper()
	r, err := newRunner(c, paths, config{concurrency: 2, runTimeout: time.Minute}, "test")
	require.NoError(t, err)
	c.runner = r
	return r
}

func TestRoundMatchesInProcessRecords(t *testing.T) {
	paths := writeTree(t)
	r := newTestRunner(t, newEnvClient(t), paths)

	ours, handWritten, err := r.runRound(t.Context(), false, "round-1", discardLogger)

	require.NoError(t, err)
	want, err := r.ours.Pipeline().Map(t.Context(), paths, 2, nil)
	require.NoError(t, err)
	for _, run := range []measuredRun{ours, handWritten} {
		require.Len(t, run.outcome.results, len(paths))
		for i, rec := range want {
			assert.Empty(t, run.outcome.results[i].Error, "item %d", i)
			assert.Equal(t, rec, run.outcome.results[i].Record, "item %d", i)
		}
		// The test client records one event per activity.
		assert.Equal(t, 3*len(paths), run.history.Events)
		assert.Len(t, run.history.Settings, 3, "one entry per stage")
	}
}

func TestRoundHandWrittenFirst(t *testing.T) {
	paths := writeTree(t)
	c := newEnvClient(t)
	r := newTestRunner(t, c, paths)
	var order []string
	c.beforeRun = func(workflowType string) { order = append(order, workflowType) }

	_, _, err := r.runRound(t.Context(), true, "round-2", discardLogger)

	require.NoError(t, err)
	require.Equal(t, []string{handWrittenWorkflowName, r.ours.MapWorkflowName()}, order)
}

func TestRoundMissingFileFailsBothOnce(t *testing.T) {
	paths := writeTree(t)
	missing := filepath.Join(filepath.Dir(paths[0]), "missing")
	paths = append(paths, missing)
	c := newEnvClient(t)
	r := newTestRunner(t, c, paths)

	ours, handWritten, err := r.runRound(t.Context(), false, "round-1", discardLogger)

	require.NoError(t, err, "both failing the same item is agreement")
	last := len(paths) - 1
	for _, run := range []measuredRun{ours, handWritten} {
		assert.NotEmpty(t, run.outcome.results[last].Error)
		// A missing file is a permanent error: one stat attempt, no retry.
		assert.Equal(t, 3*last+1, c.attemptCount(run.outcome.workflowID))
	}
}

func TestRoundDetectsChangedFile(t *testing.T) {
	paths := writeTree(t)
	c := newEnvClient(t)
	r := newTestRunner(t, c, paths)
	c.beforeRun = func(workflowType string) {
		if workflowType == handWrittenWorkflowName {
			require.NoError(t, os.WriteFile(paths[0], []byte("changed\n"), 0o644))
		}
	}

	_, _, err := r.runRound(t.Context(), false, "round-1", discardLogger)

	require.ErrorIs(t, err, errOutputsDiffer)
}

func TestRoundDetectsOtherActivityOptions(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *workflow.ActivityOptions)
	}{
		{"start-to-close timeout", func(o *workflow.ActivityOptions) {
			o.StartToCloseTimeout += time.Second
		}},
		{"maximum attempts", func(o *workflow.ActivityOptions) {
			policy := *o.RetryPolicy
			policy.MaximumAttempts++
			o.RetryPolicy = &policy
		}},
		{"heartbeat timeout", func(o *workflow.ActivityOptions) {
			o.HeartbeatTimeout = time.Minute
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRunner(t, newEnvClient(t), writeTree(t))
			tt.change(&r.handWritten.options[1])

			_, _, err := r.runRound(t.Context(), false, "round-1", discardLogger)

			require.ErrorIs(t, err, errSettingsDiffer)
		})
	}
}

func TestMeasureSkipsWarmupRounds(t *testing.T) {
	paths := writeTree(t)
	r := newTestRunner(t, newEnvClient(t), paths)

	s, err := r.measure(t.Context(), 1, 2, discardLogger)

	require.NoError(t, err)
	require.Equal(t, len(paths), s.items)
	require.Equal(t, 2, s.rounds)
	require.Len(t, s.ours.walls, 2)
	require.Len(t, s.handWritten.walls, 2)
	require.Len(t, s.ours.histories, 2)
	for _, h := range s.ours.histories {
		require.Equal(t, 3*len(paths), h.Events)
	}
	var out bytes.Buffer
	require.NoError(t, s.print(&out))
	require.Contains(t, out.String(), "ours/hand-written")
}

func TestCompareResults(t *testing.T) {
	paths := []string{"/a", "/b"}
	ok := func(path string) itemResult {
		return itemResult{Record: fileinfo.Record{Path: path, Size: 1, SHA256: "00"}}
	}
	failed := itemResult{Error: "stage stat: no such file"}
	tests := []struct {
		name        string
		ours        []itemResult
		handWritten []itemResult
		wantDiff    bool
	}{
		{"equal records", []itemResult{ok("/a"), ok("/b")}, []itemResult{ok("/a"), ok("/b")},
			false},
		{"both failed", []itemResult{ok("/a"), failed}, []itemResult{ok("/a"), failed}, false},
		{"ours failed only", []itemResult{failed, ok("/b")}, []itemResult{ok("/a"), ok("/b")},
			true},
		{"hand-written failed only", []itemResult{ok("/a"), ok("/b")},
			[]itemResult{ok("/a"), failed}, true},
		{"other digest", []itemResult{ok("/a"), ok("/b")},
			[]itemResult{ok("/a"), {Record: fileinfo.Record{Path: "/b", Size: 1, SHA256: "ff"}}},
			true},
		{"records swapped", []itemResult{ok("/b"), ok("/a")}, []itemResult{ok("/b"), ok("/a")},
			true},
		{"result missing", []itemResult{ok("/a")}, []itemResult{ok("/a"), ok("/b")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := compareResults(paths, tt.ours, tt.handWritten)

			if tt.wantDiff {
				require.ErrorIs(t, err, errOutputsDiffer)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   float64
	}{
		{"empty", nil, 0},
		{"one", []float64{3}, 3},
		{"odd count", []float64{5, 1, 3}, 3},
		{"even count", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, median(tt.values))
		})
	}
}

func TestSummaryRatios(t *testing.T) {
	s := summary{items: 10, concurrency: 2, rounds: 2,
		ours:        sideStats{walls: []time.Duration{3 * time.Second, 5 * time.Second}},
		handWritten: sideStats{walls: []time.Duration{2 * time.Second, 2 * time.Second}}}

	require.Equal(t, 4*time.Second, s.ours.medianWall())
	require.Equal(t, []float64{1.5, 2.5}, s.roundRatios())
	var out bytes.Buffer
	require.NoError(t, s.print(&out))
	require.Contains(t, out.String(), "2.000", "median ratio 4s/2s")
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"zero concurrency", []string{"-concurrency", "0"}},
		{"concurrency above cap", []string{"-concurrency", "201"}},
		{"zero rounds", []string{"-rounds", "0"}},
		{"negative warmup", []string{"-warmup", "-1"}},
		{"zero run timeout", []string{"-run-timeout", "0s"}},
		{"extra argument", []string{"dir"}},
		{"unknown flag", []string{"-fast"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args, io.Discard)

			var usage *usageError
			require.ErrorAs(t, err, &usage)
			require.Equal(t, 2, report(io.Discard, err))
		})
	}
}
