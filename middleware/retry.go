package middleware

import (
	"context"
	"errors"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// RetryOptions configures [Retry]. The zero value calls the rest of the
// chain once, as a stage with no retries does.
type RetryOptions struct {
	// Policy sets how many retries to make, the delay before each and which
	// errors to retry, with the same rules as a stage's retry policy.
	// Default: the zero policy, which makes 0 retries.
	//
	// These retries multiply with the stage's own: each retry of the
	// middleware runs the stage's whole retry loop again, so an always
	// failing handler is called (1+Policy.Retries)·(1+stage retries) times.
	Policy pipeline.RetryPolicy
	// Sleep waits out the delay before a retry and returns ctx's error when
	// ctx is done first. It is not called for a zero delay. Tests set it to
	// record the delays instead of waiting. Default: [pipeline.SleepContext].
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry returns a middleware that calls the rest of the chain again, with
// the same input and state, until it succeeds or opts.Policy allows no more
// retries. It then returns the last error unchanged. Errors marked with
// [pipeline.Permanent], errors that Policy.RetryIf rejects, and any error
// after ctx is done are returned at once. When ctx is done during a delay,
// the middleware returns ctx's error.
//
// An invalid policy is reported as a [*pipeline.ConfigError] whose Field
// names the policy field and that matches one of the pipeline sentinel
// errors, such as [pipeline.ErrInvalidRetries]. The middleware is safe for
// concurrent use when Sleep is.
func Retry[S any](opts RetryOptions) (pipeline.Middleware[S], error) {
	if err := opts.Policy.Validate(); err != nil {
		var cfg *pipeline.ConfigError
		if errors.As(err, &cfg) {
			cfg.Field = "Policy." + cfg.Field
		}
		return nil, err
	}
	policy, sleep := opts.Policy, opts.Sleep
	if sleep == nil {
		sleep = pipeline.SleepContext
	}
	return func(
		ctx context.Context, stage string, input any, state *S, next pipeline.Handler[S],
	) (any, error) {
		for n := 1; ; n++ {
			out, err := next(ctx, input, state)
			if err == nil || n > policy.Retries || !policy.Retryable(ctx, err) {
				return out, err
			}
			if d := policy.NextDelay(n); d > 0 {
				if err := sleep(ctx, d); err != nil {
					return nil, err
				}
			}
		}
	}, nil
}
