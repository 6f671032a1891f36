package catalog

import (
	"context"
	"io"
	"reflect"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// EntryOptions configures [NewEntry]. The zero value is valid: no
// description, no directory input and the default Temporal settings.
type EntryOptions[In any] struct {
	// Description is a one-line description shown in pipeline lists.
	Description string
	// ListDirectory, when set, lists the inputs for the regular files under
	// a directory, in sorted order. It lets [Entry.ListDirectory] work.
	ListDirectory func(dir string) ([]In, error)
	// Normalize, when set, checks each decoded input and returns it in the
	// form that the job runs with and results echo, such as a file path made
	// absolute. An error rejects the input as one matching [ErrInvalidInput].
	Normalize func(In) (In, error)
	// Temporal holds the Temporal settings of the pipeline's workflows and
	// activities.
	Temporal temporalrun.Options
}

// NewEntry returns the entry for p, named after it. It reports invalid
// Temporal settings as temporalrun.New does.
func NewEntry[In, Out, S any](
	p *pipeline.Pipeline[In, Out, S], opts EntryOptions[In],
) (*Entry, error) {
	remote, err := temporalrun.New(p, opts.Temporal)
	if err != nil {
		return nil, err
	}
	a := &adapter[In, Out, S]{name: p.Name(), local: p, remote: remote,
		list: opts.ListDirectory, normalize: opts.Normalize, maxConcurrency: opts.Temporal.MaxConcurrency}
	if a.maxConcurrency == 0 {
		a.maxConcurrency = temporalrun.DefaultMaxConcurrency
	}
	return &Entry{
		name:        p.Name(),
		description: opts.Description,
		expected:    describeJSONType(reflect.TypeFor[In]()),
		impl:        a,
	}, nil
}

// adapter implements runner for one typed pipeline.
type adapter[In, Out, S any] struct {
	name           string
	local          *pipeline.Pipeline[In, Out, S]
	remote         *temporalrun.Pipeline[In, Out, S]
	list           func(dir string) ([]In, error)
	normalize      func(In) (In, error)
	maxConcurrency int // the Map concurrency cap of remote
}

func (a *adapter[In, Out, S]) decode(data []byte) (Items, error) {
	v, err := decodeStrict[In](data)
	if err != nil {
		return Items{}, a.named(err)
	}
	return a.newItems([]In{v}, nil)
}

func (a *adapter[In, Out, S]) decodeLines(r io.Reader) (Items, error) {
	values, lines, err := decodeLines[In](r)
	if err != nil {
		return Items{}, a.named(err)
	}
	return a.newItems(values, lines)
}

// newItems normalizes values in place and returns them as Items. lines, when
// not nil, gives the 1-based line of each value for error messages.
func (a *adapter[In, Out, S]) newItems(values []In, lines []int) (Items, error) {
	if a.normalize != nil {
		for i, v := range values {
			normalized, err := a.normalize(v)
			if err != nil {
				ierr := &InputError{Pipeline: a.name, Err: ErrInvalidInput,
					Detail: err.Error(), Cause: err}
				if lines != nil {
					ierr.Line = lines[i]
				}
				return Items{}, ierr
			}
			values[i] = normalized
		}
	}
	return newItems(a.name, values)
}

func (a *adapter[In, Out, S]) listDirectory(dir string) (Items, error) {
	if a.list == nil {
		return Items{}, ErrNoDirectoryInput
	}
	values, err := a.list(dir)
	if err != nil {
		return Items{}, &InputError{Pipeline: a.name, Err: ErrInvalidDirectory,
			Detail: err.Error(), Cause: err}
	}
	return a.newItems(values, nil)
}

// named sets the pipeline name of an *InputError.
func (a *adapter[In, Out, S]) named(err error) error {
	if ierr, ok := err.(*InputError); ok {
		ierr.Pipeline = a.name
	}
	return err
}

func (a *adapter[In, Out, S]) runLocal(ctx context.Context, items Items, opts JobOptions) (Job, error) {
	values := items.values.([]In)
	concurrency := opts.Concurrency
	if !opts.Map {
		concurrency = 1
	}
	run := func(ctx context.Context, i int) (Result, error) {
		var state S
		out, err := a.local.Run(ctx, values[i], &state)
		r := newResult(i, items.inputs[i], out, err)
		if err != nil && opts.Map && opts.FailFast {
			return r, err // no state, as on Temporal
		}
		return withState(r, state), err
	}
	return startLocalJob(ctx, len(values), concurrency, opts.FailFast, run), nil
}
