package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

func TestLocalRun(t *testing.T) {
	isolate(t)
	path := writeFile(t, t.TempDir(), "notes.txt", "one\ntwo\nthree")
	arg, err := json.Marshal(path)
	require.NoError(t, err)

	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"JSON argument", "", []string{"run", "-local", string(arg)}},
		{"stdin", string(arg) + "\n", []string{"run", "-local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, tt.stdin, tt.args...)

			require.NoError(t, got.err)
			require.Equal(t, 0, got.code)
			lines := parseResults(t, got.stdout)
			require.Len(t, lines, 1)
			require.Equal(t, 0, lines[0].Index)
			require.Equal(t, path, lines[0].Input)
			require.Nil(t, lines[0].Error)
			require.Equal(t, path, lines[0].Output.Path)
			require.Equal(t, sha256Hex("one\ntwo\nthree"), lines[0].Output.SHA256)
			require.EqualValues(t, 13, lines[0].Output.Size)
			require.EqualValues(t, 3, lines[0].Output.Lines)
			require.Equal(t, "text/plain; charset=utf-8", lines[0].Output.ContentType)
			require.True(t, lines[0].Output.Text)
			require.True(t, strings.HasPrefix(got.stderr,
				"run fileinfo: 1 item, 0 failed, "), got.stderr)
			require.True(t, strings.HasSuffix(got.stderr, ", in-process\n"), got.stderr)
		})
	}
}

func TestLocalRunFailure(t *testing.T) {
	isolate(t)
	missing := filepath.Join(t.TempDir(), "missing.txt")
	arg, err := json.Marshal(missing)
	require.NoError(t, err)

	got := runStarter(t, "", "run", "-local", string(arg))

	require.Equal(t, 1, got.code)
	lines := parseResults(t, got.stdout)
	require.Len(t, lines, 1)
	require.Nil(t, lines[0].Output)
	require.Equal(t, "stat", lines[0].Error.Stage)
	require.Equal(t, 1, lines[0].Error.Attempts, "a missing file is not retried")
	require.Equal(t, "*fs.PathError", lines[0].Error.Type, "the type of the cause, not its marker")
	require.Contains(t, lines[0].Error.Message, "no such file")
	require.Contains(t, got.stderr, "starter: item 0 (input "+string(arg)+
		`) failed in stage "stat" after 1 attempt: `)
}

func TestLocalMapDirectory(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	contents := map[string]string{"b.txt": "bravo\n", "a.txt": "alpha", "sub/c.bin": "\x00\x01"}
	for name, content := range contents {
		writeFile(t, dir, name, content)
	}
	out := filepath.Join(t.TempDir(), "results.jsonl")

	got := runStarter(t, "", "map", "-local", "-dir", dir, "-out", out, "-concurrency", "2")

	require.NoError(t, got.err)
	require.Equal(t, 0, got.code)
	require.Empty(t, got.stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := parseResults(t, string(data))
	wantOrder := []string{"a.txt", "b.txt", "sub/c.bin"}
	require.Len(t, lines, len(wantOrder))
	for i, name := range wantOrder {
		require.Equal(t, i, lines[i].Index)
		require.Equal(t, filepath.Join(dir, name), lines[i].Input)
		require.Nil(t, lines[i].Error, "item %d", i)
		require.Equal(t, sha256Hex(contents[name]), lines[i].Output.SHA256, "item %d", i)
	}
	require.False(t, lines[2].Output.Text, "NUL bytes are not text")
	require.True(t, strings.HasPrefix(got.stderr, "map fileinfo: 3 items, 0 failed, "),
		got.stderr)
}

func TestLocalMapItems(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	first := writeFile(t, dir, "first.txt", "first\n")
	third := writeFile(t, dir, "third.txt", "third\n")
	missing := filepath.Join(dir, "second.txt")
	var jsonl strings.Builder
	for _, p := range []string{first, missing, third} {
		data, err := json.Marshal(p)
		require.NoError(t, err)
		jsonl.Write(append(data, '\n'))
	}
	items := writeFile(t, dir, "items.jsonl", jsonl.String())

	t.Run("settled", func(t *testing.T) {
		got := runStarter(t, "", "map", "-local", "-items", items)

		require.Equal(t, 1, got.code)
		lines := parseResults(t, got.stdout)
		require.Len(t, lines, 3, "every item gets a line")
		require.Equal(t, sha256Hex("first\n"), lines[0].Output.SHA256)
		require.Equal(t, "stat", lines[1].Error.Stage)
		require.Equal(t, missing, lines[1].Input)
		require.Equal(t, sha256Hex("third\n"), lines[2].Output.SHA256)
		require.Contains(t, got.stderr, "map fileinfo: 3 items, 1 failed, ")
		require.Contains(t, got.stderr, `starter: 1 of 3 items failed, the first: item 1 `+
			`(input "`+missing+`") failed in stage "stat" after 1 attempt: `)
	})
	t.Run("fail fast", func(t *testing.T) {
		got := runStarter(t, "", "map", "-local", "-fail-fast", "-concurrency", "1",
			"-items", items)

		require.Equal(t, 1, got.code)
		lines := parseResults(t, got.stdout)
		require.Len(t, lines, 1, "only the failed item")
		require.Equal(t, 1, lines[0].Index)
		require.Equal(t, "stat", lines[0].Error.Stage)
		require.Contains(t, got.stderr, "map fileinfo: 3 items, 1 failed, 2 without a result, ")
	})
}

func TestFailedRunLeavesNoOutFile(t *testing.T) {
	isolate(t)
	out := filepath.Join(t.TempDir(), "results.jsonl")

	got := runStarter(t, "", "run", "-out", out, "-connect-timeout", "2s", `"a"`)

	require.ErrorIs(t, got.err, catalog.ErrConnect)
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	require.Empty(t, entries, "no results file and no temporary file")
}

func TestLocalRelativePaths(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", "one\n")
	items := writeFile(t, dir, "items.jsonl", "\"notes.txt\"\n")
	t.Chdir(dir)

	tests := []struct {
		name string
		args []string
	}{
		{"run argument", []string{"run", "-local", `"notes.txt"`}},
		{"items file", []string{"map", "-local", "-items", items}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", tt.args...)

			require.NoError(t, got.err)
			lines := parseResults(t, got.stdout)
			require.Len(t, lines, 1)
			require.Equal(t, notes, lines[0].Input, "the input made absolute")
			require.Equal(t, notes, lines[0].Output.Path)
			require.Equal(t, sha256Hex("one\n"), lines[0].Output.SHA256)
		})
	}
}

func TestLocalMapItemsWithByteOrderMark(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", "one\n")
	arg, err := json.Marshal(notes)
	require.NoError(t, err)
	items := writeFile(t, dir, "items.jsonl", "\ufeff"+string(arg)+"\n")

	got := runStarter(t, "", "map", "-local", "-items", items)

	require.NoError(t, got.err)
	lines := parseResults(t, got.stdout)
	require.Len(t, lines, 1)
	require.Equal(t, sha256Hex("one\n"), lines[0].Output.SHA256)
}

// The server address is a closed port, so a start of a workflow would fail
// with catalog.ErrConnect.
func TestEmptyMapStartsNoWorkflow(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.jsonl", "")
	emptyDir := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(emptyDir, 0o755))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty items file", []string{"map", "-items", empty},
			"map fileinfo: 0 items, 0 failed, "},
		{"empty directory", []string{"map", "-dir", emptyDir},
			"map fileinfo: 0 items, 0 failed, "},
		{"without waiting", []string{"map", "-no-wait", "-items", empty},
			"map fileinfo: 0 items, no workflow started\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", tt.args...)

			require.NoError(t, got.err)
			require.Equal(t, 0, got.code)
			require.Empty(t, got.stdout)
			require.True(t, strings.HasPrefix(got.stderr, tt.want), got.stderr)
			require.True(t, strings.HasSuffix(got.stderr, "no workflow started\n"), got.stderr)
		})
	}
}

func TestOutCreatesParentDirectories(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", "one\n")
	arg, err := json.Marshal(notes)
	require.NoError(t, err)
	out := filepath.Join(dir, "a", "b", "results.jsonl")

	got := runStarter(t, "", "run", "-local", "-out", out, string(arg))

	require.NoError(t, got.err)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Len(t, parseResults(t, string(data)), 1)
}

func TestLocalRunInterrupted(t *testing.T) {
	isolate(t)
	notes := writeFile(t, t.TempDir(), "notes.txt", "one\n")
	arg, err := json.Marshal(notes)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	got := runStarterContext(ctx, t, string(arg)+"\n", "map", "-local", "-items", "-")

	require.Equal(t, 1, got.code)
	require.Equal(t, "starter: interrupted; the in-process map stopped without results\n",
		got.stderr)
}

func TestLocalRunNameTooLong(t *testing.T) {
	isolate(t)
	long := filepath.Join(t.TempDir(), strings.Repeat("n", 5000))
	arg, err := json.Marshal(long)
	require.NoError(t, err)

	got := runStarter(t, "", "run", "-local", string(arg))

	require.Equal(t, 1, got.code)
	lines := parseResults(t, got.stdout)
	require.Len(t, lines, 1)
	require.Equal(t, 1, lines[0].Error.Attempts, "a name that is too long is not retried")
	require.Equal(t, 2, strings.Count(got.stderr, "\n"), "the summary and the error")
	require.Contains(t, got.stderr, "stat the input: file name too long")
	require.Less(t, len(got.stderr), 400, "the path appears once, shortened")
}
