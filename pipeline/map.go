package pipeline

import (
	"context"
	"fmt"
	"strconv"
)

// ItemResult is the outcome of one item of [Pipeline.MapSettled].
type ItemResult[Out, S any] struct {
	Value Out   // the pipeline output, the zero value when Err is set
	State S     // the item's run state after its run
	Err   error // a [*StageError], or ctx's error for an item never started
}

// Map runs the pipeline on every item, at most concurrency items at once,
// and returns the outputs in input order. It fails fast: after the first
// failure it starts no new item, cancels the running ones and returns a
// [*MapError] listing the items that failed on their own, in input order,
// without the cancellations it caused. Use [Pipeline.MapSettled] to keep the
// outputs of the items that succeed.
//
// Every item runs on its own copy of *state (the zero value of S when state
// is nil), taken when Map is called, so items never see each other's writes
// and *state is never modified. A state type without references (pointers,
// maps, slices, interfaces) is copied by assignment. Any other type is
// copied by a JSON round trip, which keeps only what JSON encodes.
//
// A concurrency below 1 is an error matching [ErrInvalidConcurrency]. Empty
// input returns an empty slice. When ctx is done Map stops starting items
// and returns an error matching ctx's error.
func (p *Pipeline[In, Out, S]) Map(ctx context.Context, items []In, concurrency int, state *S) ([]Out, error) {
	snap, err := p.mapSnapshot(concurrency, state)
	if err != nil {
		return nil, err
	}
	outs := make([]Out, len(items))
	failures, err := forEachItem(ctx, len(items), concurrency, true,
		func(ctx context.Context, i int) error {
			s, err := p.state.fresh(&snap)
			if err == nil {
				outs[i], err = p.Run(ctx, items[i], s)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("pipeline: map interrupted: %w", err)
	}
	if len(failures) > 0 {
		return nil, &MapError{Items: failures}
	}
	return outs, nil
}

// MapSettled runs the pipeline on every item like [Pipeline.Map] but never
// stops early: it returns one result per item, at the item's index, with its
// output or error and its final run state. Its own error is for invalid
// arguments only. When ctx is done, items not yet started get ctx's error.
func (p *Pipeline[In, Out, S]) MapSettled(
	ctx context.Context, items []In, concurrency int, state *S,
) ([]ItemResult[Out, S], error) {
	snap, err := p.mapSnapshot(concurrency, state)
	if err != nil {
		return nil, err
	}
	results := make([]ItemResult[Out, S], len(items))
	started := make([]bool, len(items))
	failures, _ := forEachItem(ctx, len(items), concurrency, false,
		func(ctx context.Context, i int) error {
			started[i] = true
			r := &results[i]
			s, err := p.state.fresh(&snap)
			if err != nil {
				r.Err = err
				return nil
			}
			r.Value, r.Err = p.Run(ctx, items[i], s)
			r.State = *s
			return nil
		})
	// The closure above returns no errors, so failures lists only items
	// whose run called runtime.Goexit and never set their result.
	for _, f := range failures {
		results[f.Index].Err = f.Err
	}
	for i := range results {
		if !started[i] {
			results[i].Err = ctx.Err()
		}
	}
	return results, nil
}

func (p *Pipeline[In, Out, S]) mapSnapshot(concurrency int, state *S) (snapshot[S], error) {
	if concurrency < 1 {
		return snapshot[S]{}, &ConfigError{Pipeline: p.name, Field: "concurrency",
			Detail: strconv.Itoa(concurrency) + ", must be at least 1",
			Err:    ErrInvalidConcurrency}
	}
	if state == nil {
		state = new(S)
	}
	return p.state.snapshot(state)
}
