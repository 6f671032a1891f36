package pipeline

import (
	"context"
	"fmt"
	"reflect"
)

// Stage is one named step of a pipeline, built by [NewStage] or
// [NewStateStage]. A Stage is immutable and safe to share between pipelines.
type Stage struct {
	name    string
	opts    StageOptions
	in, out reflect.Type
	state   reflect.Type // the *S a state handler takes, nil for value handlers
	call    func(ctx context.Context, input any, state any) (any, error)
	err     error // configuration error, reported by New
}

// NewStage returns a stage whose handler takes only the stage input.
// Invalid options are reported by [New] as a [*ConfigError].
func NewStage[In, Out any](
	name string, handler func(context.Context, In) (Out, error), opts StageOptions,
) Stage {
	s := newStage[In, Out](name, opts, handler == nil)
	if handler != nil {
		s.call = func(ctx context.Context, input any, _ any) (any, error) {
			in, _ := input.(In) // nil becomes the zero value
			v, err := handler(ctx, in)
			return v, err
		}
	}
	return s
}

// NewStateStage returns a stage whose handler also takes the run state. Its
// writes to the state are seen by later stages, hooks and the caller.
func NewStateStage[In, Out, S any](
	name string, handler func(context.Context, In, *S) (Out, error), opts StageOptions,
) Stage {
	s := newStage[In, Out](name, opts, handler == nil)
	s.state = reflect.TypeFor[*S]()
	if handler != nil {
		s.call = func(ctx context.Context, input any, state any) (any, error) {
			in, _ := input.(In)
			v, err := handler(ctx, in, state.(*S))
			return v, err
		}
	}
	return s
}

func newStage[In, Out any](name string, opts StageOptions, nilHandler bool) Stage {
	s := Stage{name: name, opts: opts, in: reflect.TypeFor[In](), out: reflect.TypeFor[Out]()}
	switch field, detail, err := opts.validate(); {
	case name == "":
		s.err = &ConfigError{Field: "name", Err: ErrInvalidName}
	case nilHandler:
		s.err = &ConfigError{Stage: name, Field: "handler", Err: ErrNilHandler}
	case err != nil:
		s.err = &ConfigError{Stage: name, Field: field, Detail: detail, Err: err}
	}
	return s
}

// Name returns the stage name.
func (s Stage) Name() string { return s.name }

// Options returns the stage options.
func (s Stage) Options() StageOptions { return s.opts }

// InputType returns the type of the handler's input.
func (s Stage) InputType() reflect.Type { return s.in }

// OutputType returns the type of the handler's output.
func (s Stage) OutputType() reflect.Type { return s.out }

// invoke calls the handler after checking that input fits its input type. A
// nil input, such as a nil interface output of the stage before, becomes the
// zero value.
func (s *Stage) invoke(ctx context.Context, input any, state any) (any, error) {
	if t := reflect.TypeOf(input); t != nil && t != s.in && !t.AssignableTo(s.in) {
		return nil, Permanent(fmt.Errorf("%w: stage %q takes %v, got %v",
			ErrTypeMismatch, s.name, s.in, t))
	}
	return s.call(ctx, input, state)
}

// checkOutput rejects an output that does not fit the stage's output type,
// including nil when that type cannot be nil. Only a middleware can produce
// one, and the next stage or the pipeline output would otherwise get the
// wrong type or a silent zero value.
func (s *Stage) checkOutput(output any) error {
	t := reflect.TypeOf(output)
	if t == nil && !nillable(s.out) {
		return Permanent(fmt.Errorf("%w: stage %q returns %v, middleware returned nil",
			ErrTypeMismatch, s.name, s.out))
	}
	if t != nil && t != s.out && !t.AssignableTo(s.out) {
		return Permanent(fmt.Errorf("%w: stage %q returns %v, middleware returned %v",
			ErrTypeMismatch, s.name, s.out, t))
	}
	return nil
}

// nillable reports whether nil is a valid value of type t.
func nillable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Chan,
		reflect.Func, reflect.UnsafePointer:
		return true
	}
	return false
}

// BeforeHook observes a stage just before it runs. It receives the stage
// input as the pipeline passes it, before any middleware. An error or panic
// it returns is reported through [Options.OnHookError] and does not stop the
// run.
type BeforeHook[S any] func(ctx context.Context, stage string, input any, state *S) error

// AfterHook observes a stage's final outcome. On failure output is nil and
// err is the [*StageError] that the run returns. It runs on every outcome,
// cancellation included, and its failures are reported like a BeforeHook's.
type AfterHook[S any] func(ctx context.Context, stage string, input, output any, err error, state *S) error

// Handler is the rest of a stage call as seen by a middleware: the inner
// middleware, then the stage with its retries.
type Handler[S any] func(ctx context.Context, input any, state *S) (any, error)

// Middleware wraps every call of every stage. It may change the input, the
// state passed on, the output or the error, call next several times, or skip
// it. Errors it returns leave the pipeline as a [*StageError] naming the
// stage, and so does a panic, as a [*PanicError]. Middleware is shared by concurrent Map items and must be safe for
// concurrent use.
type Middleware[S any] func(
	ctx context.Context, stage string, input any, state *S, next Handler[S],
) (any, error)
