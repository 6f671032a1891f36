package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
)

// Pipeline runs named stages in order, each stage's output the next stage's
// input, from an input of type In to an output of type Out, with a run state
// of type S shared along the run. Build one with [New]. A Pipeline is
// immutable and safe for concurrent use.
type Pipeline[In, Out, S any] struct {
	name   string
	stages []Stage
	byName map[string]int
	opts   Options[S]
	state  stateCopier[S]
	logger *slog.Logger
}

// New returns a pipeline named name that runs stages in order. It reports
// invalid configuration as a [*ConfigError] that names the stage and the
// field and matches one of the sentinel errors. The checks reject:
//   - no stages, an empty or duplicate name;
//   - a nil handler or middleware, or a zero [Stage], which has no handler;
//   - invalid stage options, and a stage whose state type is not S;
//   - a run state that cannot be encoded as JSON;
//   - a type that does not fit where it goes: In into the first stage, each
//     output into the next input, the last output into Out.
func New[In, Out, S any](name string, opts Options[S], stages ...Stage) (*Pipeline[In, Out, S], error) {
	if name == "" {
		return nil, &ConfigError{Field: "name", Err: ErrInvalidName}
	}
	if len(stages) == 0 {
		return nil, &ConfigError{Pipeline: name, Field: "stages", Err: ErrNoStages}
	}
	for i, mw := range opts.Middleware {
		if mw == nil {
			return nil, &ConfigError{Pipeline: name, Field: fmt.Sprintf("Middleware[%d]", i),
				Err: ErrNilHandler}
		}
	}

	p := &Pipeline[In, Out, S]{
		name:   name,
		stages: slices.Clone(stages),
		byName: make(map[string]int, len(stages)),
		opts:   opts,
		logger: opts.Logger,
	}
	p.opts.Middleware = slices.Clone(opts.Middleware)
	if p.logger == nil {
		p.logger = slog.Default()
	}

	if err := p.checkStages(); err != nil {
		return nil, err
	}
	if err := p.checkTypes(); err != nil {
		return nil, err
	}

	copier, err := newStateCopier[S]()
	if err != nil {
		return nil, &ConfigError{Pipeline: name, Field: "state", Detail: err.Error(),
			Err: ErrStateNotSerializable}
	}
	p.state = copier
	return p, nil
}

func (p *Pipeline[In, Out, S]) checkStages() error {
	stateType := reflect.TypeFor[*S]()
	for i := range p.stages {
		st := &p.stages[i]
		if st.call == nil && st.err == nil {
			return &ConfigError{Pipeline: p.name, Field: "stages",
				Detail: fmt.Sprintf("stage %d is the zero Stage, which has no handler. "+
					"Build stages with NewStage or NewStateStage", i),
				Err: ErrNilHandler}
		}
		if st.err != nil {
			cfg := *st.err.(*ConfigError)
			cfg.Pipeline = p.name
			if cfg.Stage == "" {
				cfg.Detail = fmt.Sprintf("stage %d", i)
			}
			return &cfg
		}
		if _, dup := p.byName[st.name]; dup {
			return &ConfigError{Pipeline: p.name, Stage: st.name, Field: "name",
				Err: ErrDuplicateStage}
		}
		p.byName[st.name] = i
		if st.state != nil && st.state != stateType {
			return &ConfigError{Pipeline: p.name, Stage: st.name, Field: "handler",
				Detail: fmt.Sprintf("takes %v, pipeline state is %v", st.state, stateType),
				Err:    ErrStateType}
		}
	}
	return nil
}

func (p *Pipeline[In, Out, S]) checkTypes() error {
	first, last := &p.stages[0], &p.stages[len(p.stages)-1]
	if in := reflect.TypeFor[In](); !in.AssignableTo(first.in) {
		return &ConfigError{Pipeline: p.name, Stage: first.name, Field: "input",
			Detail: fmt.Sprintf("pipeline input %v does not fit stage %q input %v",
				in, first.name, first.in),
			Err: ErrTypeMismatch}
	}
	for i := 1; i < len(p.stages); i++ {
		prev, next := &p.stages[i-1], &p.stages[i]
		if !prev.out.AssignableTo(next.in) {
			return &ConfigError{Pipeline: p.name, Stage: next.name, Field: "input",
				Detail: fmt.Sprintf("stage %q output %v does not fit stage %q input %v",
					prev.name, prev.out, next.name, next.in),
				Err: ErrTypeMismatch}
		}
	}
	if out := reflect.TypeFor[Out](); !last.out.AssignableTo(out) {
		return &ConfigError{Pipeline: p.name, Stage: last.name, Field: "output",
			Detail: fmt.Sprintf("stage %q output %v does not fit pipeline output %v",
				last.name, last.out, out),
			Err: ErrTypeMismatch}
	}
	return nil
}

// Name returns the pipeline name.
func (p *Pipeline[In, Out, S]) Name() string { return p.name }

// Stages returns the stages in the order they run.
func (p *Pipeline[In, Out, S]) Stages() []Stage { return slices.Clone(p.stages) }

// Run runs every stage in order on input and returns the last stage's
// output. The stages, hooks and middleware share *state, and the caller sees
// their writes afterwards; a nil state starts from the zero value of S.
//
// A failure comes back as a [*StageError] naming the stage. Run stops before
// the next stage once ctx is done.
func (p *Pipeline[In, Out, S]) Run(ctx context.Context, input In, state *S) (Out, error) {
	var zero Out
	if state == nil {
		state = new(S)
	}
	var value any = input
	for i := range p.stages {
		st := &p.stages[i]
		if err := ctx.Err(); err != nil {
			return zero, p.stageError(st, 0, err)
		}
		var err error
		value, err = p.runStage(ctx, st, value, state)
		if err != nil {
			return zero, err
		}
	}
	out, _ := value.(Out) // nil becomes the zero value
	return out, nil
}

func (p *Pipeline[In, Out, S]) stage(name string) (*Stage, error) {
	i, ok := p.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w %q in pipeline %q", ErrUnknownStage, name, p.name)
	}
	return &p.stages[i], nil
}
