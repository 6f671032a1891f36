package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Configuration errors come wrapped in a [*ConfigError] and
// run-time errors in a [*StageError]; match them with [errors.Is].
var (
	// ErrNoStages means a pipeline was built without stages.
	ErrNoStages = errors.New("pipeline: at least one stage is required")
	// ErrInvalidName means a pipeline or stage name is empty.
	ErrInvalidName = errors.New("pipeline: name must not be empty")
	// ErrDuplicateStage means two stages of one pipeline share a name.
	ErrDuplicateStage = errors.New("pipeline: duplicate stage name")
	// ErrNilHandler means a stage or middleware without a handler: a nil
	// handler or middleware, or a zero Stage value.
	ErrNilHandler = errors.New("pipeline: handler must not be nil")
	// ErrInvalidTimeout means a timeout outside its allowed range, such as a
	// negative stage timeout. The sentinel states no rule because callers
	// have different ones. The [ConfigError] Detail states the rule and the
	// value, as do the Details of the other ErrInvalid* errors below.
	ErrInvalidTimeout = errors.New("pipeline: invalid timeout")
	// ErrInvalidRetries means a negative retry count.
	ErrInvalidRetries = errors.New("pipeline: invalid retry count")
	// ErrInvalidDelay means a negative retry delay or maximum delay.
	ErrInvalidDelay = errors.New("pipeline: invalid delay")
	// ErrInvalidBackoff means a backoff that is neither fixed nor exponential.
	ErrInvalidBackoff = errors.New("pipeline: invalid backoff")
	// ErrInvalidJitter means a jitter fraction outside [0, 1].
	ErrInvalidJitter = errors.New("pipeline: invalid jitter")
	// ErrTypeMismatch means a value's type does not fit the input it is passed to.
	ErrTypeMismatch = errors.New("pipeline: type mismatch")
	// ErrStateType means a stage expects a run state of another type.
	ErrStateType = errors.New("pipeline: stage state type differs from the pipeline's")
	// ErrStateNotSerializable means the run state type cannot be encoded as JSON.
	ErrStateNotSerializable = errors.New("pipeline: run state must be JSON-serializable")
	// ErrInvalidConcurrency means a concurrency outside its allowed range,
	// such as a Map concurrency below 1.
	ErrInvalidConcurrency = errors.New("pipeline: invalid concurrency")
	// ErrUnknownStage means a stage name that the pipeline does not have.
	ErrUnknownStage = errors.New("pipeline: unknown stage")

	// ErrTimeout matches an attempt or middleware call that ran past its
	// timeout. Such errors also match [context.DeadlineExceeded].
	ErrTimeout = errors.New("pipeline: timed out")
	// ErrPermanent matches errors marked with [Permanent]; they are not retried.
	ErrPermanent = errors.New("pipeline: permanent error")
	// ErrPanic matches a [*PanicError].
	ErrPanic = errors.New("pipeline: handler panicked")
)

// ConfigError is an invalid configuration reported by a constructor. Err is
// one of the sentinel errors above.
type ConfigError struct {
	Pipeline string // pipeline name, empty when the error is about a lone stage
	Stage    string // stage name, empty when the error is about the pipeline
	Field    string // option or argument at fault, such as "Retry.Retries"
	Detail   string // the offending value or a short explanation
	Err      error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Pipeline != "" {
		fmt.Fprintf(&b, ": pipeline %q", e.Pipeline)
	}
	if e.Stage != "" {
		fmt.Fprintf(&b, ": stage %q", e.Stage)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// StageError is the one error type for a failed stage. Attempts counts the
// attempts started by the last run of the stage's retry loop, including one
// that a timeout abandoned before it returned. It is 0 when no attempt
// started, such as when ctx was done before the stage or a middleware
// returned without calling next. Err is the last attempt's error, unchanged,
// so that [errors.Is] and [errors.As] reach the handler's own error.
type StageError struct {
	Stage    string
	Attempts int
	Err      error

	owner any // the pipeline that created the error, to avoid wrapping twice
}

func (e *StageError) Error() string {
	if e.Attempts == 1 {
		return fmt.Sprintf("pipeline: stage %q failed after 1 attempt: %v", e.Stage, e.Err)
	}
	return fmt.Sprintf("pipeline: stage %q failed after %d attempts: %v", e.Stage, e.Attempts, e.Err)
}

func (e *StageError) Unwrap() error { return e.Err }

// PanicError is a handler panic turned into an error. It matches [ErrPanic].
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("pipeline: panic: %v", e.Value) }

func (e *PanicError) Is(target error) bool { return target == ErrPanic }

// Unwrap returns the panic value when it is an error, so errors.Is reaches it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Permanent marks err as not worth retrying: stage retries and the retry
// middleware give up at once. The result matches [ErrPermanent] and still
// unwraps to err. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// PermanentError is an error marked by [Permanent]. It matches
// [ErrPermanent] and unwraps to Err.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string        { return e.Err.Error() }
func (e *PermanentError) Unwrap() error        { return e.Err }
func (e *PermanentError) Is(target error) bool { return target == ErrPermanent }

// TimeoutError is the error of a call that ran past a stage timeout or the
// timeout middleware's limit. It matches [ErrTimeout] and
// [context.DeadlineExceeded].
type TimeoutError struct {
	After time.Duration // the limit that was exceeded
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("pipeline: timed out after %v", e.After) }

func (e *TimeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

// ItemError is the failure of one Map item.
type ItemError struct {
	Index int   // position of the item in the Map input
	Err   error // usually a [*StageError]
}

func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }

func (e *ItemError) Unwrap() error { return e.Err }

// MapError lists the items that failed a fail-fast Map, in input order.
// Items cancelled because another item failed are not listed.
type MapError struct {
	Items []*ItemError
}

func (e *MapError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pipeline: map: %d item(s) failed", len(e.Items))
	for _, it := range e.Items {
		b.WriteString("; ")
		b.WriteString(it.Error())
	}
	return b.String()
}

// Unwrap returns the item errors, so errors.Is and errors.As search them all.
func (e *MapError) Unwrap() []error {
	errs := make([]error, len(e.Items))
	for i, it := range e.Items {
		errs[i] = it
	}
	return errs
}
