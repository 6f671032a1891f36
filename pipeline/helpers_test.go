package pipeline_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// testState is the run state of most tests: a counter, a slice and nested
// maps, so that shared memory between copies would show.
type testState struct {
	Count  int
	Notes  []string
	Tags   map[string]int
	Nested map[string][]int
}

var (
	errBoom = errors.New("boom")
	errHook = errors.New("hook failed")
)

// codeError is a custom error type that tests find with errors.As.
type codeError struct{ Code int }

func (e *codeError) Error() string { return "code error" }

func addOne(_ context.Context, v int) (int, error) { return v + 1, nil }

func double(_ context.Context, v int) (int, error) { return v * 2, nil }

func fail(_ context.Context, _ int) (int, error) { return 0, errBoom }

// blockUntilDone returns ctx's error once ctx is done.
func blockUntilDone(ctx context.Context, _ int) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

// newPipeline builds an int-to-int pipeline named "test" and fails the test
// on a configuration error.
func newPipeline(
	t testing.TB, opts pipeline.Options[testState], stages ...pipeline.Stage,
) *pipeline.Pipeline[int, int, testState] {
	t.Helper()
	p, err := pipeline.New[int, int]("test", opts, stages...)
	require.NoError(t, err)
	return p
}

// stageErrorOf returns the *StageError in err's chain and fails the test when
// there is none.
func stageErrorOf(t testing.TB, err error) *pipeline.StageError {
	t.Helper()
	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	return se
}

// countStageErrors counts the *StageError values in err's whole chain.
func countStageErrors(err error) int {
	n := 0
	for err != nil {
		if _, ok := err.(*pipeline.StageError); ok {
			n++
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				n += countStageErrors(e)
			}
			return n
		default:
			return n
		}
	}
	return n
}

// eventLog records events from concurrent calls in the order they happen.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(event string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, event)
}

func (l *eventLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

// sleepRecorder is an Options.Sleep that records each delay and returns at
// once.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *sleepRecorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delays = append(r.delays, d)
	return nil
}

func (r *sleepRecorder) list() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.delays...)
}
