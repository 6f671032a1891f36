package temporalrun_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// runState is the run state of the tests: the stages that ran, in order,
// and the handler calls per stage, as the handlers record them.
type runState struct {
	Visits []string       `json:"visits"`
	Tries  map[string]int `json:"tries"`
}

var (
	errFlaky = errors.New("flaky failure")
	errBad   = errors.New("bad input")
)

// calls counts handler calls per stage, outside the run state.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(stage string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[stage]++
	return c.n[stage]
}

// all returns a copy of the counts per stage.
func (c *calls) all() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *calls) get(stage string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[stage]
}

// visit records a handler call of stage in the run state and in c, and
// returns the call number.
func visit(c *calls, stage string, state *runState) int {
	state.Visits = append(state.Visits, stage)
	if state.Tries == nil {
		state.Tries = map[string]int{}
	}
	state.Tries[stage]++
	return c.add(stage)
}

// addStage returns a stage that adds n to its input and records its calls.
func addStage(c *calls, name string, n int, opts pipeline.StageOptions) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		return v + n, nil
	}, opts)
}

// flakyStage returns a stage that fails its first failures calls with
// errFlaky and then adds one.
func flakyStage(c *calls, name string, failures int, opts pipeline.StageOptions) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		if visit(c, name, s) <= failures {
			return 0, fmt.Errorf("attempt of %s: %w", name, errFlaky)
		}
		return v + 1, nil
	}, opts)
}

// failOnStage returns a stage that fails permanently for input bad and
// adds one to any other input.
func failOnStage(c *calls, name string, bad int, opts pipeline.StageOptions) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		if v == bad {
			return 0, pipeline.Permanent(fmt.Errorf("item %d: %w", v, errBad))
		}
		return v + 1, nil
	}, opts)
}

// codeError is an error type whose Error method panics on a nil receiver,
// as many hand-written error types do.
type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

// nilErrorStage returns a stage whose handler returns a typed nil
// *codeError, an error whose Error method panics.
func nilErrorStage(c *calls, name string) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		var err *codeError
		return 0, err
	}, pipeline.StageOptions{})
}

// blockStage returns a stage that ignores its context and blocks until
// release is closed.
func blockStage(
	c *calls, name string, release <-chan struct{}, opts pipeline.StageOptions,
) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		<-release
		return v, nil
	}, opts)
}

// panicStage returns a stage whose handler panics.
func panicStage(c *calls, name string) pipeline.Stage {
	return pipeline.NewStateStage(name, func(_ context.Context, v int, s *runState) (int, error) {
		visit(c, name, s)
		panic("handler exploded")
	}, pipeline.StageOptions{})
}

// newPipeline builds an in-process pipeline named name and fails the test
// on a configuration error.
func newPipeline(
	t *testing.T, name string, opts pipeline.Options[runState], stages ...pipeline.Stage,
) *pipeline.Pipeline[int, int, runState] {
	t.Helper()
	p, err := pipeline.New[int, int](name, opts, stages...)
	require.NoError(t, err)
	return p
}

// newTemporal wraps p for Temporal and fails the test on an error.
func newTemporal(
	t *testing.T, p *pipeline.Pipeline[int, int, runState], opts temporalrun.Options,
) *temporalrun.Pipeline[int, int, runState] {
	t.Helper()
	tp, err := temporalrun.New(p, opts)
	require.NoError(t, err)
	return tp
}

// errorShape is what must match between an in-process error and its
// Temporal counterpart.
type errorShape struct {
	Stage        string
	Attempts     int
	Timeout      bool
	Deadline     bool
	Permanent    bool
	Panic        bool
	Canceled     bool
	CauseType    string
	CauseMessage string
}

// shapeOf describes a stage error; an error without one is described by
// its type and message only.
func shapeOf(err error) errorShape {
	if err == nil {
		return errorShape{}
	}
	shape := errorShape{
		Timeout:   errors.Is(err, pipeline.ErrTimeout),
		Deadline:  errors.Is(err, context.DeadlineExceeded),
		Permanent: errors.Is(err, pipeline.ErrPermanent),
		Panic:     errors.Is(err, pipeline.ErrPanic),
		Canceled:  errors.Is(err, context.Canceled),
	}
	cause := err
	var se *pipeline.StageError
	if errors.As(err, &se) {
		shape.Stage, shape.Attempts, cause = se.Stage, se.Attempts, se.Err
	}
	shape.CauseType, shape.CauseMessage = temporalrun.ErrorType(cause), fmt.Sprint(cause)
	return shape
}
