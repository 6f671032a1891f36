package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// closedAddress returns a 127.0.0.1 address on which nothing listens.
func closedAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// isolate points the Temporal settings at a closed local port and an
// empty config file, so that a test that dials fails fast and touches
// nothing else.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("TEMPORAL_ADDRESS", closedAddress(t))
	t.Setenv("TEMPORAL_CONFIG_FILE", filepath.Join(t.TempDir(), "temporal.toml"))
	t.Setenv("TEMPORAL_PROFILE", "")
	t.Setenv("TEMPORAL_NAMESPACE", "")
}

// outcome is what one starter invocation returned and printed.
type outcome struct {
	err    error
	code   int
	stdout string
	stderr string
}

func runStarter(t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	return runStarterContext(t.Context(), t, stdin, args...)
}

// runStarterContext runs the starter like runStarter, under ctx.
func runStarterContext(ctx context.Context, t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	code := report(&stderr, err)
	return outcome{err: err, code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeFile writes content to dir/name, creating directories, and returns
// the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func sha256Hex(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

// resultLine is one line of the JSON Lines results.
type resultLine struct {
	Index  int    `json:"index"`
	Input  string `json:"input"`
	Output *struct {
		Path        string `json:"path"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
		Lines       int64  `json:"lines"`
		ContentType string `json:"content_type"`
		Text        bool   `json:"text"`
	} `json:"output"`
	Error *struct {
		Stage    string `json:"stage"`
		Attempts int    `json:"attempts"`
		Type     string `json:"type"`
		Message  string `json:"message"`
	} `json:"error"`
}

func parseResults(t *testing.T, jsonl string) []resultLine {
	t.Helper()
	var lines []resultLine
	for _, text := range strings.Split(strings.TrimSuffix(jsonl, "\n"), "\n") {
		if text == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var line resultLine
		require.NoError(t, dec.Decode(&line), "line %q", text)
		lines = append(lines, line)
	}
	return lines
}
