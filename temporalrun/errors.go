package temporalrun

import (
	"errors"
	"fmt"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Sentinel errors of this package. They come wrapped in a [*LimitError] or a
// [*pipeline.ConfigError]; match them with [errors.Is].
var (
	// ErrNilPipeline means [New] was given a nil pipeline.
	ErrNilPipeline = errors.New("temporalrun: pipeline must not be nil")

	// ErrNilClient means a nil client.Client was passed to start a workflow.
	ErrNilClient = errors.New("temporalrun: client must not be nil")

	// ErrConcurrencyTooHigh means a Map concurrency, or the
	// [Options.MaxConcurrency] cap, above what one workflow run can keep
	// pending.
	ErrConcurrencyTooHigh = errors.New("temporalrun: concurrency above the safe maximum")

	// ErrMapTooLarge means a Map whose projected workflow history would not
	// fit in one workflow run.
	ErrMapTooLarge = errors.New("temporalrun: map too large for one workflow history")

	// ErrInvalidRequest means a workflow input that this package did not
	// make, such as one typed by hand on the command line, is invalid.
	ErrInvalidRequest = errors.New("temporalrun: invalid workflow request")

	// ErrOtherWorkflow means a workflow ID that belongs to a workflow of
	// another pipeline or another type.
	ErrOtherWorkflow = errors.New("temporalrun: workflow of another type")
)

// LimitError is a Map rejected before it starts because it would break a
// limit of one Temporal workflow run. Err is [ErrConcurrencyTooHigh] or
// [ErrMapTooLarge].
type LimitError struct {
	Value int    // the requested concurrency or the projected history events
	Max   int    // the largest value accepted
	Fix   string // the change that makes the Map fit, such as a batch size
	Err   error
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%v: %d, maximum %d: %s", e.Err, e.Value, e.Max, e.Fix)
}

func (e *LimitError) Unwrap() error { return e.Err }

// EncodeError is a run state or stage output that encoding/json could not
// encode on the worker, such as a float64 that is +Inf. The attempt fails
// with it as a permanent error. For the run state it matches
// [pipeline.ErrStateNotSerializable].
type EncodeError struct {
	Value string // "run state" or "output"
	Err   error  // the encoding error
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("temporalrun: encode %s: %v", e.Value, e.Err)
}

func (e *EncodeError) Unwrap() []error {
	if e.Value == "run state" {
		return []error{pipeline.ErrStateNotSerializable, e.Err}
	}
	return []error{e.Err}
}
