package temporalrun

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// maxStackBytes bounds the panic stack kept in a [RemoteError], because it
// is stored in the workflow history.
const maxStackBytes = 8 << 10

// RemoteError is a stage's error as the client receives it. The original Go
// value cannot cross from the worker through the workflow to the client, so
// RemoteError keeps its type name and message, and [errors.Is] still
// matches the sentinel errors the original matched:
// [context.Canceled], [context.DeadlineExceeded], [pipeline.ErrTimeout],
// [pipeline.ErrPermanent], [pipeline.ErrPanic], [pipeline.ErrTypeMismatch],
// [pipeline.ErrStateNotSerializable] and [ErrInvalidRequest]. Other
// sentinels and error types of the handler do not match; compare Type and
// Message instead.
//
// It is the Err of the [*pipeline.StageError] that the client API returns.
// On the client it unwraps to the SDK error it was decoded from, such as a
// *temporal.WorkflowExecutionError, so errors.As still finds that. A
// RemoteError is not modified after it is returned and is safe for
// concurrent reads.
type RemoteError struct {
	// Type is the Go type of the original error as fmt's %T prints it,
	// such as "*errors.errorString".
	Type string `json:"type"`
	// Message is the original error's text.
	Message string `json:"message"`
	// Matches names the sentinel errors the original matched, such as
	// "pipeline.ErrTimeout".
	Matches []string `json:"matches,omitempty"`
	// Stack is the panicking goroutine's stack when a handler panicked,
	// cut to its first 8 KiB.
	Stack string `json:"stack,omitempty"`

	cause error
}

// remoteSentinels are the errors that a RemoteError can match, by the name
// it stores.
var remoteSentinels = []struct {
	name string
	err  error
}{
	{"context.Canceled", context.Canceled},
	{"context.DeadlineExceeded", context.DeadlineExceeded},
	{"pipeline.ErrTimeout", pipeline.ErrTimeout},
	{"pipeline.ErrPermanent", pipeline.ErrPermanent},
	{"pipeline.ErrPanic", pipeline.ErrPanic},
	{"pipeline.ErrTypeMismatch", pipeline.ErrTypeMismatch},
	{"pipeline.ErrStateNotSerializable", pipeline.ErrStateNotSerializable},
	{"temporalrun.ErrInvalidRequest", ErrInvalidRequest},
}

// newRemoteError describes err for the trip through Temporal.
func newRemoteError(err error) RemoteError {
	// fmt.Sprint, unlike err.Error(), survives an Error method that panics,
	// such as one called on a typed nil pointer, and prints it as %v does
	// in-process.
	r := RemoteError{Type: ErrorType(err), Message: fmt.Sprint(err)}
	for _, s := range remoteSentinels {
		if errors.Is(err, s.err) {
			r.Matches = append(r.Matches, s.name)
		}
	}
	var panicErr *pipeline.PanicError
	if errors.As(err, &panicErr) {
		r.Stack = string(panicErr.Stack[:min(len(panicErr.Stack), maxStackBytes)])
	}
	return r
}

// ErrorType returns the Go type name of err as fmt's %T prints it. The name
// is the same before and after a trip through Temporal: for a *RemoteError
// it is the type of the original error, and for an error marked with
// [pipeline.Permanent] it is the type of the marked error.
func ErrorType(err error) string {
	switch e := err.(type) {
	case *RemoteError:
		return e.Type
	case *pipeline.PermanentError:
		return fmt.Sprintf("%T", e.Err)
	}
	return fmt.Sprintf("%T", err)
}

func (e *RemoteError) Error() string { return e.Message }

// Is reports whether the original error matched target, for the sentinel
// errors listed on [RemoteError].
func (e *RemoteError) Is(target error) bool {
	for _, s := range remoteSentinels {
		if s.err == target {
			return slices.Contains(e.Matches, s.name)
		}
	}
	return false
}

// Unwrap returns the SDK error that the client decoded e from, or nil.
func (e *RemoteError) Unwrap() error { return e.cause }

// permanent reports whether retrying the work that failed with e cannot
// help: the error was marked permanent, or the request was invalid.
func (e *RemoteError) permanent() bool {
	return slices.Contains(e.Matches, "pipeline.ErrPermanent") ||
		slices.Contains(e.Matches, "temporalrun.ErrInvalidRequest")
}
