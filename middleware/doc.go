// Package middleware provides the built-in middleware for pipelines of
// package pipeline: structured logging, stage timing, retries, a timeout
// around the whole stage, and OpenTelemetry spans.
//
// Every constructor is generic in the run state type S and returns a
// [pipeline.Middleware] for [pipeline.Options.Middleware], where the first
// entry is the outermost. Constructors whose options can be invalid also
// return an error, a [*pipeline.ConfigError] that matches one of the
// pipeline sentinel errors. The middleware is safe for concurrent use, so
// one pipeline can serve concurrent runs and [pipeline.Pipeline.Map], as long
// as concurrent runs do not share a run state and a custom retry Sleep is
// safe for concurrent use too.
//
// # Usage
//
//	type State struct {
//		middleware.Timings `json:"timings,omitempty"`
//	}
//
//	timeout, err := middleware.Timeout[State](5 * time.Second)
//	if err != nil {
//		return err
//	}
//	p, err := pipeline.New[int, int]("orders", pipeline.Options[State]{
//		Middleware: []pipeline.Middleware[State]{
//			middleware.OpenTelemetry[State](middleware.OpenTelemetryOptions{}),
//			middleware.Logging[State](middleware.LoggingOptions{}),
//			middleware.Timing[State](),
//			timeout,
//		},
//	}, stages...)
//
// # Order
//
// The order of the list decides what each middleware covers. A [Logging] or
// [Timing] outside [Retry] covers all attempts of a stage call together,
// and inside it covers each attempt. A [Timeout] outside [Retry] bounds all
// attempts together, and inside it bounds each one. Stage retries always
// run inside the whole list.
//
// # On Temporal
//
// When package temporalrun runs the pipeline, every attempt of a stage is a
// separate activity execution, so the whole list runs once per attempt,
// inside the retries. A [Timeout] then bounds one attempt, not all of them,
// [Timing] records one entry per attempt, and a [Retry] multiplies the
// attempts of each activity execution. To bound a whole stage there, set a
// ScheduleToCloseTimeout in temporalrun's StageOptions.
//
// # Errors
//
// The middleware here returns the errors of the rest of the chain
// unchanged, with two exceptions: [Timeout] returns its timeout error, and
// [Retry] returns the context's error when the context ends during a delay.
// The pipeline wraps what a middleware returns in a [*pipeline.StageError]
// naming the stage, unless it already is the stage's own error, so callers
// match errors with [errors.Is] and [errors.As] as they do without
// middleware.
package middleware
