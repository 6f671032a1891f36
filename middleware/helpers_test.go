package middleware_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/middleware"
	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// runState is the run state of most tests: timings plus a counter that
// stages may write.
type runState struct {
	middleware.Timings `json:"timings,omitempty"`
	Count              int `json:"count"`
}

var errBoom = errors.New("boom")

// newPipeline builds a pipeline and fails the test on a configuration error.
func newPipeline[In, Out, S any](
	t *testing.T, opts pipeline.Options[S], stages ...pipeline.Stage,
) *pipeline.Pipeline[In, Out, S] {
	t.Helper()
	p, err := pipeline.New[In, Out]("test", opts, stages...)
	require.NoError(t, err)
	return p
}

// newRetry returns a retry middleware and fails the test on invalid options.
func newRetry(t *testing.T, opts middleware.RetryOptions) pipeline.Middleware[runState] {
	t.Helper()
	mw, err := middleware.Retry[runState](opts)
	require.NoError(t, err)
	return mw
}

// newTimeout returns a timeout middleware and fails the test on an invalid d.
func newTimeout(t *testing.T, d time.Duration) pipeline.Middleware[runState] {
	t.Helper()
	mw, err := middleware.Timeout[runState](d)
	require.NoError(t, err)
	return mw
}

func addOne(_ context.Context, v int) (int, error) { return v + 1, nil }

func double(_ context.Context, v int) (int, error) { return v * 2, nil }

// failing returns a handler that always fails with err.
func failing(err error) func(context.Context, int) (int, error) {
	return func(context.Context, int) (int, error) { return 0, err }
}

// callCounter counts the calls of a handler that fails the first
// failures calls with errBoom and then returns its input plus one.
type callCounter struct {
	mu       sync.Mutex
	calls    int
	failures int
}

func (c *callCounter) handle(_ context.Context, v int) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.calls <= c.failures {
		return 0, errBoom
	}
	return v + 1, nil
}

func (c *callCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// errorRecorder is a middleware that stores every error coming back from
// next, so tests can compare the errors on both sides of another middleware.
type errorRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (r *errorRecorder) middleware(
	ctx context.Context, _ string, input any, state *runState, next pipeline.Handler[runState],
) (any, error) {
	out, err := next(ctx, input, state)
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	return out, err
}

func (r *errorRecorder) errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// sleepRecorder is a fake retry sleep that stores the delays and returns at
// once.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}
