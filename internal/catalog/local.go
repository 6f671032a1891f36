package catalog

import (
	"context"
	"errors"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// localJob is a job that runs its items in this process.
type localJob struct {
	total    int
	done     atomic.Int64
	failed   atomic.Int64
	finished chan struct{}

	results []Result // set before finished is closed
	err     error
}

// itemRunner runs item i and returns its result and the pipeline's error.
type itemRunner func(ctx context.Context, i int) (Result, error)

// startLocalJob runs n items on at most concurrency goroutines until all
// have run or, with failFast, one has failed.
func startLocalJob(
	ctx context.Context, n, concurrency int, failFast bool, runItem itemRunner,
) *localJob {
	j := &localJob{total: n, finished: make(chan struct{})}
	go func() {
		defer close(j.finished)
		j.results, j.err = j.run(ctx, n, concurrency, failFast, runItem)
	}()
	return j
}

func (j *localJob) run(
	ctx context.Context, n, concurrency int, failFast bool, runItem itemRunner,
) ([]Result, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	ran := make([]*Result, n)
	for i := range n {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			r, err := runItem(gctx, i)
			if err != nil && errors.Is(err, context.Canceled) && ctx.Err() == nil &&
				gctx.Err() != nil {
				return nil // cancelled because another item failed first
			}
			ran[i] = &r
			j.count(err)
			if failFast {
				return err
			}
			return nil
		})
	}
	_ = g.Wait() // item errors are in the results

	// A failed fail-fast Map reports only its failures, as pipeline.Map and
	// the Temporal Map workflow do.
	failFastFailed := failFast && j.failed.Load() > 0
	results := make([]Result, 0, n)
	for _, r := range ran {
		if r != nil && (r.Error != nil || !failFastFailed) {
			results = append(results, *r)
		}
	}
	return results, ctx.Err()
}

func (j *localJob) count(err error) {
	if err != nil {
		j.failed.Add(1)
	}
	j.done.Add(1)
}

func (j *localJob) WorkflowID() string { return "" }
func (j *localJob) RunID() string      { return "" }
func (j *localJob) Attached() bool     { return false }
func (j *localJob) Total() int         { return j.total }

func (j *localJob) Progress(context.Context) (Progress, error) {
	return Progress{Total: j.total, Done: int(j.done.Load()), Failed: int(j.failed.Load())}, nil
}

func (j *localJob) Wait(ctx context.Context) ([]Result, error) {
	select {
	case <-j.finished:
		return j.results, j.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
