// Package temporalrun runs a [pipeline.Pipeline] unchanged as durable
// Temporal workflows: one workflow per run, one workflow per Map, and one
// activity per stage, so that a run survives worker restarts and every
// attempt is visible in the workflow history.
//
// Wrap a pipeline with [New], register it on a worker with package worker,
// and start runs from any client with [Pipeline.Run], [Pipeline.Start],
// [Pipeline.Map], [Pipeline.MapSettled] or [Pipeline.StartMap].
//
// # Usage
//
//	p, err := pipeline.New[Order, Receipt]("orders", pipeline.Options[State]{}, stages...)
//	if err != nil {
//		return err
//	}
//	tp, err := temporalrun.New(p, temporalrun.Options{})
//	if err != nil {
//		return err
//	}
//
//	// In the worker process:
//	w, err := worker.New(c, "", sdkworker.Options{}, tp)
//	...
//	err = w.Run(sdkworker.InterruptCh())
//
//	// In any client process:
//	var state State
//	receipt, err := tp.Run(ctx, c, client.StartWorkflowOptions{ID: "order-42"}, order, &state)
//
// # Names
//
// The workflow of a pipeline is named after the pipeline, the Map workflow
// "<pipeline>.map" and the activity of a stage "<pipeline>.<stage>". The
// workflow history stores these names, so renaming a pipeline or a stage,
// or reordering, adding or removing stages, breaks the workflows already
// running: deploy such a change under a new pipeline name, or after the
// old workflows have finished.
//
// # Where each part runs
//
// A run works as in-process, with these differences in where and how often
// each part runs:
//
//	Part            In-process (pipeline)          On Temporal (temporalrun)
//	--------------  -----------------------------  ------------------------------------
//	run             the caller's goroutine         workflow "<pipeline>"
//	stage           a call in the run              activity "<pipeline>.<stage>"
//	handler         once per attempt               once per attempt, in the activity
//	stage timeout   bounds each attempt            the same, in the activity
//	retries         a loop with sleeps             Temporal retry policy, one activity
//	                                               execution per attempt
//	middleware      once per stage, around all     once per attempt, around the
//	                attempts                       attempt
//	before hook     once per stage                 once, in the first attempt
//	after hook      once per stage, with the       once, in the attempt that ends
//	                final outcome                  the stage
//	run state       one *S shared by the run       JSON into each activity and back;
//	                                               kept between attempts in heartbeats
//	Map             goroutines                     workflow "<pipeline>.map", one
//	                                               coroutine per item
//	Map bound       concurrency                    a workflow semaphore
//	stopping        cancel the caller's context    cancel the workflow
//
// Middleware wraps each attempt because each attempt is a separate activity
// execution, possibly on another worker. Package worker's interceptor runs
// it around the rest of the activity interceptor chain, so interceptors
// listed before it (Temporal's OpenTelemetry tracing interceptor, say) wrap
// the middleware; without the interceptor, the activity runs the middleware
// itself.
//
// The after hook runs on a worker, in the attempt that ends the stage, so
// it does not run when no attempt reports the end: when the Temporal
// service enforces a start-to-close, schedule-to-close or heartbeat
// timeout, and when the workflow is cancelled while the stage waits for
// its next attempt. An attempt learns of a cancellation of its workflow
// only from a heartbeat response. A handler that returns on ctx.Done then
// ends the stage as cancelled, and the hook runs. An attempt that fails
// with a retryable error sends a heartbeat before it asks for a retry, and
// ends the stage as cancelled instead when the response reports the
// cancellation. The SDK sends that heartbeat at once only when it is the
// first of the attempt, and batches later ones (in 30-second windows by
// default in SDK v1.51). So an attempt that ran longer than its heartbeat
// interval can still miss the cancellation and skip the hook. The workflow
// does not wait for a cancelled activity, so the writes of an after hook
// that runs after a cancellation do not reach the caller.
//
// The input, the output of every stage and the run state travel as JSON,
// so they must survive encoding/json: only exported fields, and interface
// values come back as JSON types. An attempt whose output or run state
// cannot be encoded, such as a float64 that is +Inf, fails the stage with a
// permanent [*EncodeError], and the after hook receives that error. Hooks
// and middleware run on the workers, so of what they do only their writes
// to the run state reach the caller.
//
// # Retries and timeouts
//
// A stage's activity gets a retry policy with the same number of attempts
// (1 + Retries, never unlimited) and the same delays as in-process: Delay
// before the first retry, doubled per retry for exponential backoff,
// capped by MaxDelay. Each failed attempt also asks for its next delay,
// jitter included, as the in-process loop computes it. A zero Delay
// becomes [MinRetryInterval]; delays are capped at [MaxRetryInterval].
// The delays are the same in the SDK test environment, and on a real
// service for delays of a second or more. A Temporal dev server (CLI
// v1.5.1, server 1.29) started retries after shorter delays about a second
// apart instead: with Delay 10ms and Retries 5 the attempts started at
// 0, 1, 2.1, 3, 4.1 and 5.1 s, and a plain SDK workflow with an
// InitialInterval of 10ms and NextRetryDelay behaved the same.
// Errors marked with [pipeline.Permanent], errors that RetryIf rejects and
// errors after a cancellation are returned as non-retryable application
// errors. A retry starts from the run state the failed attempt left,
// which the attempt records as heartbeat details.
//
// The start-to-close timeout of an activity is the stage Timeout plus
// [StartToCloseGrace], so the pipeline's own per-attempt timeout reports
// first; for a stage without Timeout it is
// [Options.DefaultStartToCloseTimeout] ([DefaultStartToClose] by default).
// [StageOptions] overrides these per stage and adds the other Temporal
// settings. While the handler runs, the activity heartbeats on its own, so
// that a cancellation reaches the handler's context.
//
// # Errors
//
// The client API returns the errors of in-process runs: a
// [*pipeline.StageError] naming the stage and the attempt count, and for a
// fail-fast Map a [*pipeline.MapError] of them. The original error cannot
// cross the process boundary, so the stage error's Err is a [*RemoteError]
// with its Go type name and message that still matches the pipeline's
// sentinel errors with [errors.Is]:
//
//   - A stage timeout matches [pipeline.ErrTimeout] and
//     [context.DeadlineExceeded], whether the pipeline or the Temporal
//     service enforced it; in the second case its Type is
//     "*temporal.TimeoutError".
//   - A handler panic matches [pipeline.ErrPanic] and keeps the stack.
//   - A cancelled workflow matches [context.Canceled]. The workflow ends as
//     cancelled, and the stage it stopped reports 0 attempts.
//   - An activity that the worker which polled it does not register fails
//     with Type "ActivityNotRegisteredError" and a message saying that every
//     worker polling a task queue must register the same pipelines.
//
// On failure the run state as of the failure comes back too. [DecodeError]
// does the decoding for runs waited on outside this package.
//
// # Map
//
// A Map runs as one workflow, with each item's stages in its own coroutine,
// at most the concurrency at once, every item on its own copy of the run
// state. Fail-fast mode cancels the running items' activities after the
// first failure and starts no new items; settled mode returns one result
// per item. The [ProgressQuery] reports progress while it runs.
//
// One workflow run has limits. With its v1.29 defaults, the Temporal service
// rejects a new activity of a run that has 2,000 pending, and terminates a
// run whose history passes 51,200 events.
// [Pipeline.StartMap] therefore rejects a concurrency above
// [Options.MaxConcurrency] (at most [MaxConcurrencyLimit]) and a Map whose
// projected history, [EventsPerActivity] per item and stage, would exceed
// [MaxHistoryEvents], before starting anything. Split larger inputs into
// batches of at most [Pipeline.MaxMapItems].
//
// # Workflow input
//
// The workflows take JSON that other clients, such as the Temporal CLI, can
// send too: the pipeline workflow {"input": <In>, "state": <S>} and the Map
// workflow {"items": [<In>...], "state": <S>, "concurrency": <n>,
// "settled": <bool>}. A missing state is the zero value of S.
//
// # Determinism
//
// The workflow code of this package reads no clock, iterates over no map,
// starts no goroutine and does no I/O, and the workflowcheck tool of
// go.temporal.io/sdk/contrib/tools finds nothing in it. Tests replay
// histories recorded from real runs to keep it compatible with running
// workflows.
package temporalrun
