package temporalrun

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Progress is how far a Map has come, as the [ProgressQuery] returns it.
// Done counts the items that have finished, successfully or not, and
// Failed the finished items that failed. Items cancelled because another
// item failed first count in neither.
type Progress struct {
	Total  int `json:"total"`
	Done   int `json:"done"`
	Failed int `json:"failed"`
}

// mapRun is the state of one Map workflow. Workflow coroutines run one at a
// time, so it needs no lock.
type mapRun struct {
	settled  bool
	items    []itemOutcome
	started  []bool
	progress Progress
	stopped  bool // a fail-fast Map had its first failure
	stop     workflow.CancelFunc
}

// mapWorkflow is the Map workflow of a pipeline: every item runs the stages
// in its own coroutine, at most Concurrency at once, on its own copy of the
// run state. The results keep the input order.
func (p *Pipeline[In, Out, S]) mapWorkflow(
	ctx workflow.Context, req mapRequest,
) (mapResult, error) {
	if err := p.CheckMap(len(req.Items), req.Concurrency); err != nil {
		return mapResult{}, temporal.NewNonRetryableApplicationError(
			err.Error(), invalidInputType, nil)
	}
	n := len(req.Items)
	run := &mapRun{settled: req.Settled, items: make([]itemOutcome, n),
		started: make([]bool, n), progress: Progress{Total: n}}
	err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) {
		return run.progress, nil
	})
	if err != nil {
		return mapResult{}, err
	}

	p.runItems(ctx, req, run)
	return run.finish(ctx)
}

// runItems starts one coroutine per item once the semaphore lets it, and
// waits for all of them. A fail-fast stop or a cancelled workflow ends the
// loop early and cancels the running items' activities.
func (p *Pipeline[In, Out, S]) runItems(ctx workflow.Context, req mapRequest, run *mapRun) {
	itemsCtx, stop := workflow.WithCancel(ctx)
	defer stop()
	run.stop = stop
	sem := workflow.NewSemaphore(ctx, int64(req.Concurrency))
	wg := workflow.NewWaitGroup(ctx)
	for i := range req.Items {
		if sem.Acquire(itemsCtx, 1) != nil {
			break
		}
		run.started[i] = true
		wg.Add(1)
		workflow.Go(itemsCtx, func(ctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			res, failure := p.runStages(ctx, runRequest{Input: req.Items[i], State: req.State})
			run.record(i, res, failure)
		})
	}
	wg.Wait(ctx)
}

// record stores the outcome of item i. In a fail-fast Map, the first
// failure stops the others, and the cancellations that this causes are not
// failures of their own.
func (run *mapRun) record(i int, res runResult, failure *stageFailure) {
	if failure == nil {
		run.items[i] = itemOutcome{Output: res.Output, State: res.State}
		run.progress.Done++
		return
	}
	if run.stopped && slices.Contains(failure.Error.Matches, "context.Canceled") {
		return
	}
	run.items[i] = itemOutcome{Failure: failure}
	run.progress.Done++
	run.progress.Failed++
	if !run.settled && !run.stopped {
		run.stopped = true
		run.stop()
	}
}

// finish returns the Map's result, or the error that ends the workflow: a
// cancellation carrying the items when the workflow was cancelled, and a
// failure carrying them when a fail-fast Map had failed items.
func (run *mapRun) finish(ctx workflow.Context) (mapResult, error) {
	res := mapResult{Settled: run.settled, Items: run.items}
	if ctx.Err() != nil {
		for i, started := range run.started {
			if !started {
				res.Items[i] = itemOutcome{Failure: &stageFailure{Error: sdkRemoteError(ctx.Err())}}
			}
		}
		return mapResult{}, endWorkflow(ctx, "temporalrun: map cancelled", mapErrorType,
			workflowFailure{Map: &res}, false)
	}
	if run.settled || run.progress.Failed == 0 {
		return res, nil
	}
	return mapResult{}, endWorkflow(ctx, run.failureMessage(), mapErrorType,
		workflowFailure{Map: &res}, false)
}

// failureMessage sums up the failed items for the workflow failure. The
// client rebuilds the full [pipeline.MapError] from the details.
func (run *mapRun) failureMessage() string {
	first := slices.IndexFunc(run.items, func(it itemOutcome) bool { return it.Failure != nil })
	return fmt.Sprintf("temporalrun: map: %d item(s) failed, first item %d: %s",
		run.progress.Failed, first, run.items[first].Failure.Error.Message)
}
