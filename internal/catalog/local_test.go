package catalog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

var errOdd = errors.New("odd number")

// newParityEntry returns an entry whose pipeline doubles even numbers and
// fails on odd ones in its "check" stage.
func newParityEntry(t *testing.T) *catalog.Entry {
	t.Helper()
	check := pipeline.NewStage("check", func(_ context.Context, n int) (int, error) {
		if n%2 != 0 {
			return 0, errOdd
		}
		return n, nil
	}, pipeline.StageOptions{})
	double := pipeline.NewStage("double", func(_ context.Context, n int) (int, error) {
		return 2 * n, nil
	}, pipeline.StageOptions{})
	p, err := pipeline.New[int, int, struct{}]("parity", pipeline.Options[struct{}]{},
		check, double)
	require.NoError(t, err)
	e, err := catalog.NewEntry(p, catalog.EntryOptions[int]{})
	require.NoError(t, err)
	return e
}

func runLocal(t *testing.T, e *catalog.Entry, lines string, opts catalog.JobOptions) (
	[]catalog.Result, catalog.Progress,
) {
	t.Helper()
	items, err := e.DecodeLines(strings.NewReader(lines))
	require.NoError(t, err)
	job, err := e.RunLocal(t.Context(), items, opts)
	require.NoError(t, err)
	results, err := job.Wait(t.Context())
	require.NoError(t, err)
	progress, err := job.Progress(t.Context())
	require.NoError(t, err)
	return results, progress
}

func TestRunLocalMapSettled(t *testing.T) {
	t.Parallel()
	results, progress := runLocal(t, newParityEntry(t), "2\n3\n4\n",
		catalog.JobOptions{Map: true, Concurrency: 2})

	require.Equal(t, catalog.Progress{Total: 3, Done: 3, Failed: 1}, progress)
	require.Len(t, results, 3)
	for i, r := range results {
		require.Equal(t, i, r.Index)
	}
	require.JSONEq(t, "4", string(results[0].Output))
	require.Nil(t, results[0].Error)
	require.JSONEq(t, "3", string(results[1].Input))
	require.Nil(t, results[1].Output)
	require.Equal(t, "check", results[1].Error.Stage)
	require.Equal(t, 1, results[1].Error.Attempts)
	require.Equal(t, "*errors.errorString", results[1].Error.Type)
	require.Equal(t, "odd number", results[1].Error.Message)
	require.ErrorIs(t, results[1].Error, errOdd)
	require.JSONEq(t, "8", string(results[2].Output))
}

func TestRunLocalMapFailFast(t *testing.T) {
	t.Parallel()
	results, progress := runLocal(t, newParityEntry(t), "2\n3\n4\n6\n8\n",
		catalog.JobOptions{Map: true, Concurrency: 1, FailFast: true})

	require.Equal(t, catalog.Progress{Total: 5, Done: 2, Failed: 1}, progress)
	require.Len(t, results, 1, "only the failed item")
	require.Equal(t, 1, results[0].Index)
	require.Equal(t, "check", results[0].Error.Stage)
}

func TestRunLocalSingle(t *testing.T) {
	t.Parallel()
	e := newParityEntry(t)
	items, err := e.DecodeValue([]byte("21"))
	require.NoError(t, err)

	job, err := e.RunLocal(t.Context(), items, catalog.JobOptions{})
	require.NoError(t, err)
	results, err := job.Wait(t.Context())
	require.NoError(t, err)
	require.Len(t, results, 1)
	require.Equal(t, "check", results[0].Error.Stage)
	require.Empty(t, job.WorkflowID())
}

func TestRunLocalRejects(t *testing.T) {
	t.Parallel()
	e := newParityEntry(t)
	two, err := e.DecodeLines(strings.NewReader("1\n2\n"))
	require.NoError(t, err)
	other, err := newEntry[int](t, "other").DecodeValue([]byte("1"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		items   catalog.Items
		opts    catalog.JobOptions
		wantErr error
	}{
		{"items of another pipeline", other, catalog.JobOptions{}, catalog.ErrForeignItems},
		{"zero concurrency", two, catalog.JobOptions{Map: true},
			pipeline.ErrInvalidConcurrency},
		{"single run of two items", two, catalog.JobOptions{}, catalog.ErrSingleRun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.RunLocal(t.Context(), tt.items, tt.opts)
			require.ErrorIs(t, err, tt.wantErr)
		})
	}
}
