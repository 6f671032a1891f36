package temporalrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"go.temporal.io/sdk/temporal"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// DecodeError turns the error of a pipeline or Map workflow, as
// client.WorkflowRun.Get returns it, back into the error that the pipeline
// returns in-process:
//
//   - A failed stage becomes a [*pipeline.StageError] with the stage name,
//     the attempt count and a [*RemoteError] as Err. When state is a non-nil
//     pointer to the run state type, the run state as of the failure is
//     decoded into it.
//   - A fail-fast Map with failed items becomes a [*pipeline.MapError]
//     listing them in input order, each with its stage error.
//   - A cancelled workflow becomes an error matching [context.Canceled]:
//     the stage error of the stage it stopped, for a pipeline workflow, or
//     a [*RemoteError] for a Map workflow.
//
// Any other error, such as that of a terminated or timed-out workflow, is
// returned unchanged. The client API of this package decodes its errors
// with DecodeError, so callers need it only for runs they wait for
// themselves.
func DecodeError(err error, state any) error {
	if err == nil {
		return nil
	}
	details, ok := decodeFailure(err)
	switch {
	case ok && details.Stage != nil:
		return decodeState(details.Stage.stageError(err), details.Stage.State, state)
	case ok && details.Map != nil && !isCanceled(err):
		return details.Map.mapError(err)
	case isCanceled(err):
		var canceled *temporal.CanceledError
		errors.As(err, &canceled)
		remote := sdkRemoteError(canceled)
		remote.cause = err
		return &remote
	}
	return err
}

// decodeFailure returns the details that a pipeline or Map workflow ended
// with, if err carries them.
func decodeFailure(err error) (workflowFailure, bool) {
	var details workflowFailure
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	var decodeErr error
	switch {
	case errors.As(err, &app) && app.HasDetails():
		decodeErr = app.Details(&details)
	case errors.As(err, &canceled) && canceled.HasDetails():
		decodeErr = canceled.Details(&details)
	default:
		return details, false
	}
	return details, decodeErr == nil && (details.Stage != nil || details.Map != nil)
}

func isCanceled(err error) bool {
	var canceled *temporal.CanceledError
	return errors.As(err, &canceled)
}

// decodeState decodes data into state, when both are set, and returns err
// joined with any decoding error.
func decodeState(err error, data json.RawMessage, state any) error {
	if state == nil || len(data) == 0 {
		return err
	}
	if derr := decodeFresh(data, state); derr != nil {
		return errors.Join(err, derr)
	}
	return err
}

// decodeFresh decodes data into the value ptr points to, starting from the
// zero value, so that fields missing from data do not keep old values.
func decodeFresh(data json.RawMessage, ptr any) error {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("temporalrun: decode run state: need a non-nil pointer, got %T", ptr)
	}
	v.Elem().SetZero()
	if err := decodeJSON(data, ptr); err != nil {
		return fmt.Errorf("temporalrun: decode run state: %w", err)
	}
	return nil
}

// mapError rebuilds the error that Map returns for the failed items of r.
// cause, when set, is the SDK error that the client decoded r from.
func (r *mapResult) mapError(cause error) *pipeline.MapError {
	var me pipeline.MapError
	for i, item := range r.Items {
		if item.Failure != nil {
			me.Items = append(me.Items,
				&pipeline.ItemError{Index: i, Err: item.Failure.stageError(cause)})
		}
	}
	return &me
}
