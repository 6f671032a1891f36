package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// The -concurrency limit is a constant in the starter, so this test fails
// when a built-in pipeline gets another Temporal cap.
func TestMaxConcurrencyMatchesBuiltinCap(t *testing.T) {
	cat, err := catalog.Builtin()
	require.NoError(t, err)

	for _, entry := range cat.Entries() {
		t.Run(entry.Name(), func(t *testing.T) {
			items, err := entry.DecodeLines(strings.NewReader(""))
			require.NoError(t, err)
			atMax := catalog.JobOptions{Map: true, Concurrency: maxConcurrency}
			aboveMax := catalog.JobOptions{Map: true, Concurrency: maxConcurrency + 1}

			require.NoError(t, entry.CheckStart(items, atMax))
			require.ErrorIs(t, entry.CheckStart(items, aboveMax),
				temporalrun.ErrConcurrencyTooHigh)
		})
	}
}

func TestConcurrencyAboveMax(t *testing.T) {
	isolate(t)
	items := writeFile(t, t.TempDir(), "items.jsonl", "\"a\"\n")
	above := strconv.Itoa(maxConcurrency + 1)
	want := "starter: -concurrency must be at most 200, got 201; lower -concurrency\n"

	tests := []struct {
		name string
		args []string
	}{
		{"on Temporal", []string{"map", "-items", items, "-concurrency", above}},
		{"with local", []string{"map", "-local", "-items", items, "-concurrency", above}},
		{"empty map", []string{"map", "-items", "-", "-concurrency", above}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", tt.args...)

			require.ErrorIs(t, got.err, temporalrun.ErrConcurrencyTooHigh)
			require.NotErrorIs(t, got.err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, got.code)
			require.Empty(t, got.stdout)
			require.Equal(t, want, got.stderr)
			require.NotContains(t, got.stderr, "MaxConcurrency")
		})
	}
}

func TestLocalMapAtMaxConcurrency(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "a.txt", "one\n")
	items := writeFile(t, dir, "items.jsonl", jsonString(t, path)+"\n")

	got := runStarter(t, "", "map", "-local", "-items", items,
		"-concurrency", strconv.Itoa(maxConcurrency))

	require.NoError(t, got.err)
	require.Equal(t, 0, got.code)
	lines := parseResults(t, got.stdout)
	require.Len(t, lines, 1)
	require.Nil(t, lines[0].Error)
}

func TestConcurrencyHelpShowsMax(t *testing.T) {
	isolate(t)

	got := runStarter(t, "", "map", "-h")

	require.Equal(t, 0, got.code)
	require.Contains(t, got.stderr, "from 1 to 200 with or without -local")
}

func TestEmptyFlagValueRejected(t *testing.T) {
	isolate(t)
	items := writeFile(t, t.TempDir(), "items.jsonl", "\"a\"\n")

	tests := []struct {
		name    string
		args    []string
		message string
	}{
		{"empty workflow ID", []string{"run", "-workflow-id", "", `"a"`},
			"starter: -workflow-id is empty; give a workflow ID or drop the flag\n"},
		{"empty workflow ID with equals", []string{"run", "-workflow-id=", `"a"`},
			"starter: -workflow-id is empty; give a workflow ID or drop the flag\n"},
		{"empty workflow ID on map", []string{"map", "-items", items, "-workflow-id", ""},
			"starter: -workflow-id is empty; give a workflow ID or drop the flag\n"},
		{"empty workflow ID with local", []string{"run", "-local", "-workflow-id", "",
			`"a"`}, "starter: -workflow-id is empty; give a workflow ID or drop the flag\n"},
		{"empty task queue", []string{"run", "-task-queue", "", `"a"`},
			"starter: -task-queue is empty; give a task queue or drop the flag " +
				"to use \"async-pipeline\"\n"},
		{"empty task queue on map", []string{"map", "-items", items, "-task-queue="},
			"starter: -task-queue is empty; give a task queue or drop the flag " +
				"to use \"async-pipeline\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", tt.args...)

			require.Error(t, got.err)
			require.NotErrorIs(t, got.err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, got.code)
			require.Empty(t, got.stdout)
			require.Equal(t, tt.message, got.stderr)
		})
	}
}

func TestInvalidWebUIRejected(t *testing.T) {
	isolate(t)
	const hostHint = ": give an http or https URL with a host, such as http://localhost:8233\n"
	const queryHint = ": drop the query and fragment, " +
		"because the summary appends the workflow's path\n"

	tests := []struct {
		name    string
		webUI   string
		message string
	}{
		{"empty", "", `starter: invalid -web-ui ""` + hostHint},
		{"relative path", "not a url/namespaces/x",
			`starter: invalid -web-ui "not a url/namespaces/x"` + hostHint},
		{"host and port only", "localhost:8233",
			`starter: invalid -web-ui "localhost:8233"` + hostHint},
		{"other scheme", "ftp://localhost:8233",
			`starter: invalid -web-ui "ftp://localhost:8233"` + hostHint},
		{"missing host", "http://", `starter: invalid -web-ui "http://"` + hostHint},
		{"port without host", "http://:8233",
			`starter: invalid -web-ui "http://:8233"` + hostHint},
		{"unparsable", "http://local host:8233",
			`starter: invalid -web-ui "http://local host:8233"` + hostHint},
		{"query", "http://localhost:8233?a=b",
			`starter: invalid -web-ui "http://localhost:8233?a=b"` + queryHint},
		{"fragment", "http://localhost:8233/#x",
			`starter: invalid -web-ui "http://localhost:8233/#x"` + queryHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", "run", "-web-ui", tt.webUI, `"a"`)

			require.Error(t, got.err)
			require.NotErrorIs(t, got.err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, got.code)
			require.Empty(t, got.stdout)
			require.Equal(t, tt.message, got.stderr)
		})
	}
}

func TestWebUIAccepted(t *testing.T) {
	tests := []struct {
		name  string
		webUI string
		want  string
	}{
		{"http with port", "http://localhost:8233", "http://localhost:8233"},
		{"https", "https://temporal.example.com", "https://temporal.example.com"},
		{"upper-case scheme", "HTTP://localhost:8233", "HTTP://localhost:8233"},
		{"path prefix", "https://example.com/temporal", "https://example.com/temporal"},
		{"trailing slash", "http://localhost:8233/", "http://localhost:8233"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseJobFlags("run", []string{"-web-ui", tt.webUI, `"a"`},
				&strings.Builder{})

			require.NoError(t, err)
			require.Equal(t, tt.want, f.webUI)
		})
	}
}

func TestUnsetFlagsKeepDefaults(t *testing.T) {
	f, err := parseJobFlags("run", []string{`"a"`}, &strings.Builder{})

	require.NoError(t, err)
	require.Empty(t, f.workflowID)
	require.Equal(t, temporalrun.DefaultTaskQueue, f.taskQueue)
	require.Empty(t, f.webUI)
}
