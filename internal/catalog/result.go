package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Result is the outcome of one item, as written to a JSON Lines results
// file: the item's index in the input, the input, either the output or the
// failure, and the item's final run state.
type Result struct {
	Index  int             `json:"index"`
	Input  json.RawMessage `json:"input"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  *Failure        `json:"error,omitempty"`
	// State is the run state that the item ended with. It is empty for a
	// pipeline whose state type is a struct without fields, and for the
	// failed items of a fail-fast Map, whose failures on Temporal carry no
	// state.
	State json.RawMessage `json:"state,omitempty"`
}

// Failure describes a failed item. Stage and Attempts come from the
// [*pipeline.StageError], and are empty and 0 for a failure outside any
// stage. Type is the Go type of the stage's error as fmt's %T prints it,
// such as "*fs.PathError", in-process and on Temporal alike.
type Failure struct {
	Stage    string `json:"stage"`
	Attempts int    `json:"attempts"`
	Type     string `json:"type"`
	Message  string `json:"message"`

	// Err is the error itself, for errors.Is and errors.As.
	Err error `json:"-"`
}

// Error returns Message, so a Failure can be returned as an error.
func (f *Failure) Error() string { return f.Message }

// Unwrap returns Err.
func (f *Failure) Unwrap() error { return f.Err }

// newFailure describes err, usually a [*pipeline.StageError].
func newFailure(err error) *Failure {
	f := &Failure{Err: err}
	cause := err
	var se *pipeline.StageError
	if errors.As(err, &se) {
		f.Stage, f.Attempts, cause = se.Stage, se.Attempts, se.Err
	}
	f.Message = fmt.Sprint(cause) // survives an Error method that panics
	f.Type = temporalrun.ErrorType(cause)
	return f
}

// newResult builds the result of item index from its output or error.
func newResult(index int, input json.RawMessage, output any, err error) Result {
	r := Result{Index: index, Input: input}
	if err != nil {
		r.Error = newFailure(err)
		return r
	}
	data, merr := json.Marshal(output)
	if merr != nil {
		r.Error = newFailure(merr)
		return r
	}
	r.Output = data
	return r
}

// withState returns r with state as its State, unless S is a struct type
// without fields. A state that cannot be encoded fails an item that
// succeeded.
func withState[S any](r Result, state S) Result {
	if t := reflect.TypeFor[S](); t.Kind() == reflect.Struct && t.NumField() == 0 {
		return r
	}
	data, err := json.Marshal(state)
	if err != nil {
		if r.Error == nil {
			r.Output, r.Error = nil, newFailure(fmt.Errorf("encode the run state: %w", err))
		}
		return r
	}
	r.State = data
	return r
}

// Progress counts the items of a job: all of them, those finished, and
// those of the finished that failed.
type Progress struct {
	Total  int
	Done   int
	Failed int
}

// Job is a started run or map, in-process or on Temporal.
type Job interface {
	// WorkflowID returns the Temporal workflow ID, empty for an in-process job.
	WorkflowID() string
	// RunID returns the Temporal run ID, empty for an in-process job.
	RunID() string
	// Attached reports whether the job is a workflow that was already
	// there when it was started, so it was not started again.
	Attached() bool
	// Total returns the number of items. For an attached workflow it is
	// the number the workflow was started with.
	Total() int
	// Progress returns the item counts so far.
	Progress(ctx context.Context) (Progress, error)
	// Wait waits for the job to end and returns the results in input
	// order: one per item, or for a fail-fast Map with failures one per
	// item that failed on its own. The error is for a job that could not
	// finish, not for failed items.
	Wait(ctx context.Context) ([]Result, error)
}
