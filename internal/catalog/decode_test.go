package catalog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

type request struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// newEntry returns an entry for a one-stage pipeline from In to string.
func newEntry[In any](t *testing.T, name string) *catalog.Entry {
	t.Helper()
	stage := pipeline.NewStage("echo", func(_ context.Context, in In) (string, error) {
		return "ok", nil
	}, pipeline.StageOptions{})
	p, err := pipeline.New[In, string, struct{}](name, pipeline.Options[struct{}]{}, stage)
	require.NoError(t, err)
	e, err := catalog.NewEntry(p, catalog.EntryOptions[In]{})
	require.NoError(t, err)
	return e
}

func TestDecodeValue(t *testing.T) {
	t.Parallel()
	strEntry := newEntry[string](t, "text")
	structEntry := newEntry[request](t, "request")
	intEntry := newEntry[int](t, "number")

	tests := []struct {
		name    string
		entry   *catalog.Entry
		input   string
		wantErr error
		message string
	}{
		{"string accepted", strEntry, `"a.txt"`, nil, ""},
		{"surrounding space accepted", strEntry, " \"a.txt\"\n", nil, ""},
		{"struct accepted", structEntry, `{"name":"x","count":2}`, nil, ""},
		{"number for string", strEntry, `42`, catalog.ErrWrongType,
			`pipeline "text" takes a JSON string: got number`},
		{"object for string", strEntry, `{"a":1}`, catalog.ErrWrongType,
			`pipeline "text" takes a JSON string: got object`},
		{"null for string", strEntry, `null`, catalog.ErrWrongType,
			`pipeline "text" takes a JSON string: got null`},
		{"bare word", strEntry, `a.txt`, catalog.ErrMalformedJSON,
			"malformed JSON: invalid character 'a' looking for beginning of value (byte 1)"},
		{"empty input", strEntry, "  ", catalog.ErrMalformedJSON,
			"malformed JSON: empty input, expected a JSON string"},
		{"cut short", strEntry, `"a.txt`, catalog.ErrMalformedJSON,
			"malformed JSON: unexpected end of input"},
		{"trailing value", strEntry, `"a" "b"`, catalog.ErrMalformedJSON,
			"malformed JSON: unexpected data after the JSON value"},
		{"trailing garbage", strEntry, `"a"}`, catalog.ErrMalformedJSON,
			"malformed JSON: unexpected data after the JSON value"},
		{"unknown field", structEntry, `{"name":"x","size":1}`, catalog.ErrWrongType,
			`pipeline "request" takes a JSON object (Go type catalog_test.request): ` +
				`json: unknown field "size"`},
		{"wrong field type", structEntry, `{"count":"2"}`, catalog.ErrWrongType,
			`pipeline "request" takes a JSON object (Go type catalog_test.request): ` +
				`field "count": expected a JSON integer, got string`},
		{"fraction for int", intEntry, `1.5`, catalog.ErrWrongType,
			`pipeline "number" takes a JSON integer: got number 1.5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items, err := tt.entry.DecodeValue([]byte(tt.input))
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, 1, items.Len())
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var ierr *catalog.InputError
			require.ErrorAs(t, err, &ierr)
			require.Equal(t, tt.message, err.Error())
		})
	}
}

func TestDecodeLines(t *testing.T) {
	t.Parallel()
	entry := newEntry[string](t, "text")

	tests := []struct {
		name     string
		input    string
		wantLen  int
		wantErr  error
		wantLine int
	}{
		{"one per line", "\"a\"\n\"b\"\n\"c\"\n", 3, nil, 0},
		{"no final newline", "\"a\"\n\"b\"", 2, nil, 0},
		{"blank lines skipped", "\n\"a\"\n   \n\"b\"\n", 2, nil, 0},
		{"empty file", "", 0, nil, 0},
		{"malformed third line", "\"a\"\n\"b\"\n{\n", 0, catalog.ErrMalformedJSON, 3},
		{"wrong type after blank", "\"a\"\n\n7\n", 0, catalog.ErrWrongType, 3},
		{"two values on a line", "\"a\" \"b\"\n", 0, catalog.ErrMalformedJSON, 1},
		{"byte order mark skipped", "\ufeff\"a\"\n\"b\"\n", 2, nil, 0},
		{"byte order mark on second line", "\"a\"\n\ufeff\"b\"\n", 0,
			catalog.ErrMalformedJSON, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items, err := entry.DecodeLines(strings.NewReader(tt.input))
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, tt.wantLen, items.Len())
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var ierr *catalog.InputError
			require.ErrorAs(t, err, &ierr)
			require.Equal(t, tt.wantLine, ierr.Line)
			require.Contains(t, err.Error(), fmt.Sprintf("line %d: ", tt.wantLine))
		})
	}
}

func TestLookupUnknownPipeline(t *testing.T) {
	t.Parallel()
	c, err := catalog.New(newEntry[string](t, "b"), newEntry[int](t, "a"))
	require.NoError(t, err)

	_, err = c.Lookup("nope")
	require.ErrorIs(t, err, catalog.ErrUnknownPipeline)
	require.Equal(t, `unknown pipeline "nope": known pipelines: a, b`, err.Error())

	e, err := c.Lookup("a")
	require.NoError(t, err)
	require.Equal(t, "a JSON integer", e.InputType())
}

func TestNewRejectsDuplicateNames(t *testing.T) {
	t.Parallel()
	_, err := catalog.New(newEntry[string](t, "a"), newEntry[int](t, "a"))
	require.Error(t, err)
}

func TestBuiltinMakesPathsAbsolute(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cat, err := catalog.Builtin()
	require.NoError(t, err)
	entry, err := cat.Lookup("fileinfo")
	require.NoError(t, err)

	value, err := entry.DecodeValue([]byte(`"notes.txt"`))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "notes.txt")}, inputStrings(t, entry, value))

	lines, err := entry.DecodeLines(strings.NewReader("\"a\"\n\"/b\"\n"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "a"), "/b"}, inputStrings(t, entry, lines))
}

func TestBuiltinRejectsEmptyPath(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Builtin()
	require.NoError(t, err)
	entry, err := cat.Lookup("fileinfo")
	require.NoError(t, err)

	_, err = entry.DecodeValue([]byte(`""`))
	require.ErrorIs(t, err, catalog.ErrInvalidInput)
	require.Equal(t, "invalid input: fileinfo: empty path", err.Error())

	_, err = entry.DecodeLines(strings.NewReader("\"a\"\n\n\"\"\n"))
	require.ErrorIs(t, err, catalog.ErrInvalidInput)
	var ierr *catalog.InputError
	require.ErrorAs(t, err, &ierr)
	require.Equal(t, 3, ierr.Line)
}

// inputStrings runs items on entry in this process and returns the inputs
// as the results echo them, whether or not the items succeeded.
func inputStrings(t *testing.T, entry *catalog.Entry, items catalog.Items) []string {
	t.Helper()
	job, err := entry.RunLocal(t.Context(), items,
		catalog.JobOptions{Map: true, Concurrency: 1})
	require.NoError(t, err)
	results, err := job.Wait(t.Context())
	require.NoError(t, err)
	inputs := make([]string, len(results))
	for i, r := range results {
		require.NoError(t, json.Unmarshal(r.Input, &inputs[i]))
	}
	return inputs
}
