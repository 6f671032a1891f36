package main

import (
	"bytes"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// isolate points the Temporal settings at a 127.0.0.1 port on which nothing
// listens and at an empty config file.
func isolate(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	t.Setenv("TEMPORAL_ADDRESS", addr)
	t.Setenv("TEMPORAL_CONFIG_FILE", filepath.Join(t.TempDir(), "temporal.toml"))
	t.Setenv("TEMPORAL_PROFILE", "")
	t.Setenv("TEMPORAL_NAMESPACE", "")
	return addr
}

func TestUnreachableServer(t *testing.T) {
	addr := isolate(t)
	var stderr bytes.Buffer

	err := run(t.Context(), []string{"-connect-timeout", "2s"}, &stderr)
	code := report(&stderr, err)

	require.ErrorIs(t, err, catalog.ErrConnect)
	require.Equal(t, 2, code)
	require.True(t, strings.HasPrefix(stderr.String(),
		"worker: cannot reach the Temporal server at "+addr+": "), stderr.String())
	require.Contains(t, stderr.String(), "start a local one with `make server`")
	require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "stderr %q", stderr.String())
}

func TestBadUsage(t *testing.T) {
	isolate(t)
	tests := []struct {
		name    string
		args    []string
		message string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"log format", []string{"-log-format", "xml"},
			`worker: -log-format must be text or json, got "xml"`},
		{"log level", []string{"-log-level", "loud"}, `invalid value "loud"`},
		{"empty task queue", []string{"-task-queue", ""},
			"worker: -task-queue must not be empty"},
		{"argument", []string{"extra"}, `worker: unexpected argument "extra"`},
		{"zero connect timeout", []string{"-connect-timeout", "0s"},
			"worker: -connect-timeout must be positive, got 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer

			err := run(t.Context(), tt.args, &stderr)
			code := report(&stderr, err)

			require.Error(t, err)
			require.NotErrorIs(t, err, catalog.ErrConnect, "dialed the server")
			require.Equal(t, 2, code)
			require.Contains(t, stderr.String(), tt.message)
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	isolate(t)
	var stderr bytes.Buffer

	code := report(&stderr, run(t.Context(), []string{"-h"}, &stderr))

	require.Equal(t, 0, code)
	require.Contains(t, stderr.String(), "Usage: worker [flags]")
}
