// Package pipeline runs a value through named stages in order. Each stage's
// output is the next stage's input, and a typed run state is shared along
// the run. Stages can have per-attempt timeouts and retries, and a pipeline
// can have hooks and middleware. [Pipeline.Map] and [Pipeline.MapSettled]
// run one pipeline on many items at once.
//
// The package imports only the standard library. The same pipeline can run
// in-process, as described here, or under another executor through the
// Run* methods of [Pipeline].
//
// # Usage
//
//	type Order struct{ Steps []string } // the run state
//
//	parse := pipeline.NewStage("parse",
//		func(ctx context.Context, s string) (int, error) { return strconv.Atoi(s) },
//		pipeline.StageOptions{})
//	double := pipeline.NewStateStage("double",
//		func(ctx context.Context, n int, o *Order) (int, error) {
//			o.Steps = append(o.Steps, "double")
//			return n * 2, nil
//		},
//		pipeline.StageOptions{Timeout: time.Second,
//			Retry: pipeline.RetryPolicy{Retries: 2, Delay: 100 * time.Millisecond}})
//
//	p, err := pipeline.New[string, int]("numbers", pipeline.Options[Order]{}, parse, double)
//	if err != nil {
//		return err // a *ConfigError naming the stage and the field
//	}
//	var order Order
//	n, err := p.Run(ctx, "21", &order) // 42, order.Steps == [double]
//
// # Stages and types
//
// [NewStage] builds a stage whose handler takes the stage input;
// [NewStateStage] builds one whose handler also takes a pointer to the run
// state. [New] checks the whole chain once, so that configuration mistakes
// show up before the first run. The pipeline input In must fit the first
// stage's input, each stage's output the next stage's input, and the last
// output the pipeline output Out. "Fit" means assignable, so a stage
// returning *bytes.Buffer may feed one that takes io.Reader. New also
// rejects an empty or duplicate name, a nil handler or middleware, a zero
// Stage value, invalid stage options, a stage whose state type is not S,
// and a state type that encoding/json cannot encode. Each such error is a [*ConfigError] naming
// the pipeline, the stage and the field, and it matches one of the
// sentinel errors, such as [ErrTypeMismatch], with [errors.Is]. The zero
// [Options] and the zero [StageOptions] are valid.
//
// # Run state
//
// [Pipeline.Run] takes a *S shared by every stage, hook and middleware of
// the run. Their writes are seen by later stages and by the caller, also
// when a stage then fails. A nil *S starts the run from a new zero value.
// S must be encodable as JSON, because Map and timeouts may copy it through
// JSON, and because an executor on Temporal stores it between stages.
//
// # Hooks
//
// [Options.BeforeStage] and [Options.AfterStage] are observers. The before
// hook runs just before each stage with the stage input as the pipeline
// passes it, before any middleware changes it. The after hook runs once the
// stage has its final outcome, after all retries. It receives the output on
// success, and on failure a nil output and the same [*StageError] that Run
// returns. It also runs when ctx is cancelled while the stage runs. A
// hook's error or panic never stops the run and never changes its result.
// It goes to [Options.OnHookError] when that is set, else to
// [Options.Logger] (default [slog.Default]) at debug level.
//
// # Middleware
//
// A [Middleware] wraps every call of every stage. The first entry of
// [Options.Middleware] is the outermost. With two entries, a stage call
// runs in this order: before hook, first middleware, second middleware,
// stage, second middleware, first middleware, after hook. A middleware may
// change the input it passes to next, change the output or the error, call
// next several times, or skip it. An output it returns must fit the stage's
// output type, or the stage fails with [ErrTypeMismatch]. A nil output fits
// only a type that can be nil: a pointer, interface, map, slice, channel or
// function. The stage's retries run inside the chain, so next is one call
// of the whole retry loop. Hooks and middleware get the same *S as the
// handler, except that a handler under a timeout works on a copy (see
// below).
//
// # Retries
//
// [RetryPolicy] in [StageOptions] makes up to 1+Retries attempts. Before
// retry n it waits Delay with [BackoffFixed] or Delay·2^(n−1) with
// [BackoffExponential], capped by MaxDelay when set. Jitter, off by
// default, shortens each wait by a random fraction of up to Jitter, so a
// wait lies in [(1−Jitter)·d, d]. There is no wait when the delay is zero.
// [Options.Sleep] replaces the wait, in tests for example. An error is not
// retried when it is marked with [Permanent], when RetryIf returns false
// for it, or when the caller's ctx is done. A cancelled run's error matches
// ctx's error, such as [context.Canceled], even when the handler returned
// an error of its own. A panic counts as a failed attempt like any other
// error.
//
// # Timeouts
//
// StageOptions.Timeout bounds each attempt, not the whole stage: each retry
// gets a fresh budget, and the waits between retries are not counted. The
// handler gets a context with that deadline, and the attempt returns at the
// deadline even if the handler ignores its context. The error then matches
// both [ErrTimeout] and [context.DeadlineExceeded]. To make that safe, a
// handler under a timeout works on a private copy of the run state that is
// written back only when it returns in time. The writes of an abandoned
// attempt are lost. The copy is made as for Map (see below), so fields that
// JSON skips come back as zero values after a stage with a timeout. The
// abandoned handler keeps running on its own goroutine until it returns, so
// a handler should still honour ctx.
// [RunWithTimeout] gives the same guarantees to middleware.
//
// # Errors
//
// Every run-time failure of a stage comes back as a [*StageError] with the
// stage name, the number of attempts started and the last attempt's error,
// unchanged, as Err. [errors.Is] and [errors.As] therefore reach the
// handler's own error. The same pipeline never wraps a StageError twice.
// When a middleware returns the StageError, the run returns it as it is.
// When a middleware wraps it with %w, the run returns the middleware's
// error, and errors.As still finds the StageError inside. A pipeline run
// inside another's stage gives an outer StageError whose Err is the inner
// one. A middleware's own error also comes back as a StageError naming the
// stage. A panicking handler or middleware fails its stage with a
// [*PanicError] that carries the panic value and stack and matches
// [ErrPanic], so under Map it fails only its item. Hook panics are reported
// like hook errors.
//
// A handler under a timeout runs on its own goroutine, so a call of
// runtime.Goexit there fails the attempt with an error. Without a timeout,
// runtime.Goexit ends the goroutine that called Run, as it does for any Go
// function. Under Map and MapSettled that goroutine is a worker: the item
// fails with an error naming runtime.Goexit and a new worker runs the items
// left.
//
// # Map
//
// [Pipeline.Map] runs the pipeline on every item, at most concurrency items
// at once, and returns the outputs in input order. It fails fast: after the
// first failure it starts no new item, cancels the running ones and returns
// a [*MapError] listing the failed items in input order, without the
// cancellations the stop caused. [Pipeline.MapSettled] runs every item and
// returns one [ItemResult] per item, at its index, with the output or the
// error and the item's final state. Items that never started because ctx
// was done get ctx's error, and Map itself returns an error matching ctx's
// error when ctx is done. Both reject a concurrency below 1 with
// [ErrInvalidConcurrency], even for empty input, and return an empty result
// for empty input.
//
// Every item runs on its own deep copy of the state passed to Map, taken
// when Map is called, so items never see each other's writes and the
// caller's state is never modified. A state type without references (no
// pointer, map, slice, interface, channel or function at any depth) is
// copied by assignment. Any other is copied by a JSON round trip, which
// keeps only what JSON encodes: exported fields without a `json:"-"` tag,
// with interface values decoded as JSON types. The timeout copy is made the
// same way.
//
// # Concurrency
//
// A [Pipeline] is immutable and safe for concurrent use. Under Map, the
// hooks, the middleware and [Options.OnHookError] are called from several
// goroutines at once, each item with its own state, so they must be safe
// for concurrent use.
package pipeline
