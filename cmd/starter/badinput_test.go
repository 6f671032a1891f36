package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Every case here would dial the closed port if it got that far, and fail
// with catalog.ErrConnect. Seeing the input error instead shows that the
// starter stopped before dialing, so no workflow was started.
func TestBadInputStopsBeforeDialing(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	badLine := writeFile(t, dir, "bad-line.jsonl", "\"a\"\n{\"path\"\n\"c\"\n")
	wrongType := writeFile(t, dir, "wrong-type.jsonl", "\"a\"\n\"b\"\n42\n")
	good := writeFile(t, dir, "good.jsonl", "\"a\"\n")
	emptyPath := writeFile(t, dir, "empty-path.jsonl", "\"a\"\n\"\"\n")
	missingDir := filepath.Join(dir, "missing")
	tooMany := writeFile(t, dir, "too-many.jsonl", strings.Repeat("\"a\"\n", 5000))

	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr error
		message string
	}{
		{"unknown pipeline", "", []string{"run", "-pipeline", "nope", `"a"`},
			catalog.ErrUnknownPipeline,
			`starter: unknown pipeline "nope": known pipelines: fileinfo`},
		{"malformed JSON argument", "", []string{"run", `{"a`},
			catalog.ErrMalformedJSON, "starter: JSON argument: malformed JSON: "},
		{"unquoted path argument", "", []string{"run", "/etc/hosts"},
			catalog.ErrMalformedJSON, "starter: JSON argument: malformed JSON: "},
		{"empty JSON argument", "\"a\"", []string{"run", ""},
			catalog.ErrMalformedJSON, "starter: JSON argument: malformed JSON: empty input"},
		{"malformed JSON on stdin", "[1,", []string{"run"},
			catalog.ErrMalformedJSON, "starter: stdin: malformed JSON: "},
		{"empty stdin", "", []string{"run"},
			catalog.ErrMalformedJSON, "starter: stdin: malformed JSON: empty input"},
		{"malformed JSON Lines", "", []string{"map", "-items", badLine},
			catalog.ErrMalformedJSON, "starter: " + badLine + ": line 2: malformed JSON: "},
		{"empty path argument", "", []string{"run", `""`}, catalog.ErrInvalidInput,
			"starter: JSON argument: invalid input: fileinfo: empty path"},
		{"empty path in JSON Lines", "", []string{"map", "-items", emptyPath},
			catalog.ErrInvalidInput, "starter: " + emptyPath +
				": line 2: invalid input: fileinfo: empty path"},
		{"wrong type argument", "", []string{"run", "42"}, catalog.ErrWrongType,
			`starter: JSON argument: pipeline "fileinfo" takes a JSON string: got number`},
		{"wrong type in JSON Lines", "", []string{"map", "-items", wrongType},
			catalog.ErrWrongType, "starter: " + wrongType +
				`: line 3: pipeline "fileinfo" takes a JSON string: got number`},
		{"wrong type on stdin", "\"a\"\n{}\n", []string{"map", "-items", "-"},
			catalog.ErrWrongType, `starter: stdin: line 2: pipeline "fileinfo" takes`},
		{"missing directory", "", []string{"map", "-dir", missingDir},
			catalog.ErrInvalidDirectory, "starter: invalid directory: list " + missingDir},
		{"file as directory", "", []string{"map", "-dir", good},
			catalog.ErrInvalidDirectory, "starter: invalid directory: "},
		{"concurrency above the cap", "", []string{"map", "-items", good,
			"-concurrency", "100000"}, temporalrun.ErrConcurrencyTooHigh,
			"starter: -concurrency must be at most 200, got 100000; lower -concurrency\n"},
		{"map too large for one workflow", "", []string{"map", "-items", tooMany},
			temporalrun.ErrMapTooLarge, "starter: temporalrun: map too large for one "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, tt.stdin, tt.args...)

			require.ErrorIs(t, got.err, tt.wantErr)
			require.NotErrorIs(t, got.err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, got.code)
			require.Empty(t, got.stdout)
			require.True(t, strings.HasPrefix(got.stderr, tt.message),
				"stderr %q does not start with %q", got.stderr, tt.message)
			require.Equal(t, 1, strings.Count(got.stderr, "\n"), "stderr %q", got.stderr)
		})
	}
}

func TestBadUsage(t *testing.T) {
	isolate(t)
	items := writeFile(t, t.TempDir(), "items.jsonl", "\"a\"\n")

	tests := []struct {
		name    string
		args    []string
		message string
	}{
		{"no subcommand", nil, "Usage:"},
		{"unknown subcommand", []string{"start"}, `starter: unknown subcommand "start"`},
		{"unknown flag", []string{"run", "-bogus", `"a"`}, "flag provided but not defined"},
		{"map without inputs", []string{"map"}, "starter: map needs its inputs"},
		{"map with both inputs", []string{"map", "-items", items, "-dir", "."},
			"starter: -items and -dir exclude each other"},
		{"zero concurrency", []string{"map", "-items", items, "-concurrency", "0"},
			"starter: -concurrency must be at least 1, got 0"},
		{"local without waiting", []string{"run", "-local", "-no-wait", `"a"`},
			"starter: -no-wait needs a Temporal server"},
		{"local with workflow ID", []string{"run", "-local", "-workflow-id", "x", `"a"`},
			"starter: -workflow-id needs a Temporal server"},
		{"wait and no-wait", []string{"run", "-wait", "-no-wait", `"a"`},
			"starter: -wait and -no-wait exclude each other"},
		{"out without waiting", []string{"run", "-no-wait", "-out", "x.jsonl", `"a"`},
			"starter: -out has no effect with -no-wait"},
		{"two run arguments", []string{"run", `"a"`, `"b"`},
			"starter: run takes one JSON argument, got 2"},
		{"map argument", []string{"map", "-items", items, "extra"},
			`starter: map takes no arguments, got "extra"`},
		{"missing items file", []string{"map", "-items", items + ".missing"},
			"starter: open the -items file: "},
		{"out under a file", []string{"run", "-local", "-out",
			filepath.Join(items, "r.jsonl"), `"a"`},
			"starter: create the -out directory: "},
		{"dir for another pipeline", []string{"map", "-pipeline", "nope", "-dir", "."},
			`starter: unknown pipeline "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runStarter(t, "", tt.args...)

			require.Error(t, got.err)
			require.NotErrorIs(t, got.err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, got.code)
			require.Contains(t, got.stderr, tt.message)
		})
	}
}

func TestUnreachableServer(t *testing.T) {
	isolate(t)

	got := runStarter(t, "", "run", "-connect-timeout", "2s", `"a"`)

	require.ErrorIs(t, got.err, catalog.ErrConnect)
	require.Equal(t, 2, got.code)
	require.Empty(t, got.stdout)
	require.True(t, strings.HasPrefix(got.stderr,
		"starter: cannot reach the Temporal server at 127.0.0.1:"), got.stderr)
	require.Contains(t, got.stderr, "start a local one with `make server`")
	require.Equal(t, 1, strings.Count(got.stderr, "\n"), "stderr %q", got.stderr)
}

func TestHelpExitsZero(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"help"}, {"run", "-h"}, {"map", "-h"}, {"list", "-h"}} {
		got := runStarter(t, "", args...)
		require.Equal(t, 0, got.code, "args %q", args)
		require.Contains(t, got.stdout+got.stderr, "Usage", "args %q", args)
	}
}

func TestListHelpShowsUsage(t *testing.T) {
	isolate(t)

	got := runStarter(t, "", "list", "-h")

	require.Equal(t, 0, got.code)
	require.True(t, strings.HasPrefix(got.stderr, "Usage: starter list\n"), got.stderr)
}
