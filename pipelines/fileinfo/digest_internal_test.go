package fileinfo

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// cancelingReader cancels a context on its first read and returns data for
// three reads, then io.EOF, so digest stops after one read only if it checks
// the context between reads.
type cancelingReader struct {
	cancel context.CancelFunc
	reads  int
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	r.reads++
	r.cancel()
	if r.reads > 3 {
		return 0, io.EOF
	}
	return copy(p, strings.Repeat("x", len(p))), nil
}

func TestDigestStopsWhenContextDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelingReader{cancel: cancel}

	_, _, _, err := digest(ctx, r)

	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, r.reads)
}

func TestIsText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sample string
		cut    bool
		want   bool
	}{
		{"ascii", "hello\n", false, true},
		{"utf-8", "héllo ✓\n", false, true},
		{"empty", "", false, true},
		{"nul byte", "a\x00b", false, false},
		{"invalid utf-8", "caf\xe9", false, false},
		{"cut inside a character", "ab\xe2\x9c", true, true},
		{"incomplete character at the end of the file", "ab\xe2\x9c", false, false},
		{"cut after a whole character", "ab\xe2\x9c\x93", true, true},
		{"invalid byte before a cut", "a\xffb\xe2", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, isText([]byte(tt.sample), tt.cut))
		})
	}
}
