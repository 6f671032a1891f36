package middleware

import (
	"context"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Timeout returns a middleware that bounds the rest of the chain, with all
// of the stage's attempts and the delays between them, by d. The call
// returns at the deadline even when the handler ignores its context, and the
// pipeline then reports a [*pipeline.StageError] naming the stage whose
// error matches both [pipeline.ErrTimeout] and [context.DeadlineExceeded].
// The error is not retried by the stage's own retries, which run inside the
// bound, but an outer [Retry] may retry it.
//
// The rest of the chain works on a private copy of the run state, which is
// written back only when it returns in time, as [pipeline.RunWithTimeout]
// describes: writes made by a call that runs past d are lost.
//
// On Temporal, where each attempt is its own activity execution, the
// middleware bounds one attempt; see the package doc.
//
// A d of zero or less is reported as a [*pipeline.ConfigError] matching
// [pipeline.ErrInvalidTimeout]. The middleware is safe for concurrent use.
func Timeout[S any](d time.Duration) (pipeline.Middleware[S], error) {
	if d <= 0 {
		return nil, &pipeline.ConfigError{Field: "timeout",
			Detail: d.String() + ", must be greater than 0", Err: pipeline.ErrInvalidTimeout}
	}
	return func(
		ctx context.Context, stage string, input any, state *S, next pipeline.Handler[S],
	) (any, error) {
		if state == nil {
			state = new(S)
		}
		return pipeline.RunWithTimeout(ctx, d, state,
			func(ctx context.Context, state *S) (any, error) {
				return next(ctx, input, state)
			})
	}, nil
}
