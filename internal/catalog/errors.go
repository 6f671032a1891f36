package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Input errors come wrapped in an [*InputError], so match
// them with [errors.Is].
var (
	// ErrUnknownPipeline means a pipeline name that the catalog does not have.
	ErrUnknownPipeline = errors.New("catalog: unknown pipeline")
	// ErrMalformedJSON means an input that is not valid JSON, is empty, or
	// has data after its one JSON value.
	ErrMalformedJSON = errors.New("catalog: malformed JSON")
	// ErrWrongType means valid JSON that does not decode into the pipeline's
	// input type: another JSON type, null, or an unknown object field.
	ErrWrongType = errors.New("catalog: wrong input type")
	// ErrInvalidInput means a decoded input that the pipeline's input check
	// rejects, such as an empty file path.
	ErrInvalidInput = errors.New("catalog: invalid input")
	// ErrInvalidDirectory means a directory whose files cannot be listed.
	ErrInvalidDirectory = errors.New("catalog: invalid directory")
	// ErrNoDirectoryInput means a pipeline that cannot take its inputs from
	// the files of a directory.
	ErrNoDirectoryInput = errors.New("catalog: pipeline does not take a directory")
	// ErrSingleRun means a single run given other than exactly one input.
	ErrSingleRun = errors.New("catalog: a single run takes exactly one input")
	// ErrForeignItems means items decoded by another pipeline's entry.
	ErrForeignItems = errors.New("catalog: items belong to another pipeline")
	// ErrClientConfig means Temporal client settings that cannot be loaded,
	// such as a missing profile or an unreadable config file.
	ErrClientConfig = errors.New("catalog: invalid Temporal client settings")
	// ErrConnect means the Temporal server could not be reached.
	ErrConnect = errors.New("catalog: cannot reach the Temporal server")
	// ErrWorkflowMismatch means an existing workflow ID that belongs to
	// another pipeline or to another kind of workflow.
	ErrWorkflowMismatch = errors.New("catalog: workflow ID already used by another kind of workflow")
	// ErrInputMismatch means an existing workflow ID whose workflow started
	// with other inputs.
	ErrInputMismatch = errors.New("catalog: workflow ID already used with other inputs")
)

// ReusedIDError is a start with a workflow ID whose workflow, running or
// closed, started with other inputs. It matches [ErrInputMismatch].
type ReusedIDError struct {
	WorkflowID string
}

func (e *ReusedIDError) Error() string {
	return fmt.Sprintf("workflow ID %s already ran with other input; choose another ID",
		e.WorkflowID)
}

// Unwrap returns ErrInputMismatch.
func (e *ReusedIDError) Unwrap() error { return ErrInputMismatch }

// InputError is an input rejected before anything ran. Err is one of
// [ErrMalformedJSON], [ErrWrongType], [ErrInvalidInput],
// [ErrInvalidDirectory] or [ErrUnknownPipeline].
type InputError struct {
	Pipeline string // pipeline name
	Expected string // the JSON the pipeline takes, such as "a JSON string"
	Line     int    // 1-based line of a JSON Lines input, 0 for a single value
	Detail   string // what is wrong, such as "got number"
	Err      error
	Cause    error // the decoder or file system error, if any
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	switch {
	case errors.Is(e.Err, ErrWrongType):
		fmt.Fprintf(&b, "pipeline %q takes %s", e.Pipeline, e.Expected)
	case errors.Is(e.Err, ErrUnknownPipeline):
		fmt.Fprintf(&b, "%s %q", describe(e.Err), e.Pipeline)
	default:
		b.WriteString(describe(e.Err))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	return b.String()
}

// Unwrap returns Err and Cause, so [errors.Is] matches both the sentinel
// and the underlying error.
func (e *InputError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// NamespaceError is a Temporal namespace that the server does not have. It
// matches [ErrClientConfig] and the server's error.
type NamespaceError struct {
	Namespace string
	Err       error
}

func (e *NamespaceError) Error() string {
	return fmt.Sprintf("namespace %q is not found on the Temporal server; check "+
		"TEMPORAL_NAMESPACE or create it with `temporal operator namespace create "+
		"--namespace %s`", e.Namespace, e.Namespace)
}

// Unwrap returns ErrClientConfig and the server's error.
func (e *NamespaceError) Unwrap() []error { return []error{ErrClientConfig, e.Err} }

// ConnectError is a failed connection to the Temporal server.
type ConnectError struct {
	Address string // host:port that was dialed
	Err     error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s at %s: %v; start a local one with `make server`",
		describe(ErrConnect), e.Address, e.Err)
}

// Unwrap returns ErrConnect and the dial error.
func (e *ConnectError) Unwrap() []error { return []error{ErrConnect, e.Err} }

// describe returns a sentinel's message without the package prefix, for
// messages that already name their source.
func describe(sentinel error) string {
	return strings.TrimPrefix(sentinel.Error(), "catalog: ")
}
