package wordfreq

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// cancelingReader cancels a context on every read and returns words
// without end, so read returns only if it checks the context.
type cancelingReader struct {
	cancel context.CancelFunc
	reads  int
}

func (r *cancelingReader) Read(p []byte) (int, error) {
	r.reads++
	r.cancel()
	return copy(p, strings.Repeat("word ", len(p)/5)), nil
}

func TestCounterStopsWhenContextDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelingReader{cancel: cancel}
	c := counter{counts: map[string]int64{}}

	err := c.read(ctx, bufio.NewReaderSize(r, readSize))

	require.ErrorIs(t, err, context.Canceled)
	require.LessOrEqual(t, r.reads, 2,
		"read stops within runesPerContextCheck runes of the cancellation")
}

func TestCounterEndsLastWordAtEOF(t *testing.T) {
	t.Parallel()
	c := counter{counts: map[string]int64{}}

	err := c.read(t.Context(), bufio.NewReader(io.MultiReader(
		strings.NewReader("Hello wor"), strings.NewReader("ld"))))

	require.NoError(t, err)
	require.Equal(t, map[string]int64{"hello": 1, "world": 1}, c.counts)
}
