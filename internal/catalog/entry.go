package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"

	"go.temporal.io/sdk/client"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// Entry is one pipeline of a [Catalog], with its Go types hidden behind
// JSON. Build one with [NewEntry]. An Entry is safe for concurrent use.
type Entry struct {
	name        string
	description string
	expected    string
	impl        runner
}

// runner is the typed part of an entry, implemented by adapter.
type runner interface {
	decode(data []byte) (Items, error)
	decodeLines(r io.Reader) (Items, error)
	listDirectory(dir string) (Items, error)
	runLocal(ctx context.Context, items Items, opts JobOptions) (Job, error)
	definition() temporalrun.Definition
	checkMap(items, concurrency int) error
	start(ctx context.Context, c client.Client, items Items, opts JobOptions) (Job, error)
	attach(ctx context.Context, c client.Client, workflowID, runID string, items Items,
		isMap bool) (Job, error)
}

// Name returns the pipeline name.
func (e *Entry) Name() string { return e.name }

// Description returns a one-line description of the pipeline.
func (e *Entry) Description() string { return e.description }

// InputType names the JSON that the pipeline takes, such as "a JSON string".
func (e *Entry) InputType() string { return e.expected }

// DecodeValue decodes data as one input. It rejects malformed JSON, data
// after the value, null, unknown object fields and values of another type
// with an [*InputError].
func (e *Entry) DecodeValue(data []byte) (Items, error) { return e.impl.decode(data) }

// DecodeLines decodes JSON Lines from r, one input per non-blank line, as
// strictly as [Entry.DecodeValue]. An [*InputError] gives the line number.
func (e *Entry) DecodeLines(r io.Reader) (Items, error) { return e.impl.decodeLines(r) }

// ListDirectory returns one input for every regular file under dir, in
// sorted order, for pipelines that take file paths. Other pipelines return
// [ErrNoDirectoryInput]. A directory that cannot be listed is an
// [*InputError] matching [ErrInvalidDirectory].
func (e *Entry) ListDirectory(dir string) (Items, error) { return e.impl.listDirectory(dir) }

// RunLocal starts items in this process. With opts.Map false, items must
// hold exactly one input. The job stops when ctx is done.
func (e *Entry) RunLocal(ctx context.Context, items Items, opts JobOptions) (Job, error) {
	if err := e.Check(items, opts); err != nil {
		return nil, err
	}
	return e.impl.runLocal(ctx, items, opts)
}

// Check reports whether [Entry.RunLocal] accepts items and opts: items of
// this entry, one item for a single run, and a Map concurrency of at least 1.
func (e *Entry) Check(items Items, opts JobOptions) error {
	if items.pipeline != e.name {
		return fmt.Errorf("%w: %q, not %q", ErrForeignItems, items.pipeline, e.name)
	}
	if !opts.Map && items.Len() != 1 {
		return fmt.Errorf("%w, got %d", ErrSingleRun, items.Len())
	}
	if opts.Map && opts.Concurrency < 1 {
		return fmt.Errorf("%w: %d, must be at least 1", pipeline.ErrInvalidConcurrency, opts.Concurrency)
	}
	return nil
}

// JobOptions configures a job started by [Entry.RunLocal] or [Entry.Start].
type JobOptions struct {
	// Map runs every item as a Map. When false, the job is a single run of
	// its one item.
	Map bool
	// Concurrency is the maximum number of items that run at once. A Map
	// requires at least 1; a single run ignores it.
	Concurrency int
	// FailFast stops a Map after the first failed item. By default every
	// item runs and gets a result.
	FailFast bool
	// TaskQueue is the Temporal task queue of the workers. Default: the
	// temporalrun package's default task queue.
	TaskQueue string
	// WorkflowID, when set, makes the start idempotent: a workflow that
	// already has this ID and the same inputs is attached to instead of
	// started again. Default:
	// a new ID made of the pipeline name and a random suffix.
	WorkflowID string
}

// Items is a list of decoded inputs for one pipeline, made by the
// [Entry] decode and list methods. The zero value has no items and belongs
// to no pipeline.
type Items struct {
	pipeline string
	values   any               // []In of the pipeline
	inputs   []json.RawMessage // each value as JSON, echoed in results
}

// Len returns the number of items.
func (it Items) Len() int { return len(it.inputs) }

// newItems encodes values back to JSON, so results echo each input in one
// canonical form.
func newItems[In any](name string, values []In) (Items, error) {
	inputs := make([]json.RawMessage, len(values))
	for i, v := range values {
		data, err := json.Marshal(v)
		if err != nil {
			return Items{}, fmt.Errorf("encode input %d as %v: %w", i, reflect.TypeFor[In](), err)
		}
		inputs[i] = data
	}
	return Items{pipeline: name, values: values, inputs: inputs}, nil
}
