package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"
)

// Options configures a [Pipeline]. The zero value is valid: no hooks, no
// middleware, hook failures logged at debug level through [slog.Default].
type Options[S any] struct {
	// BeforeStage, when set, observes each stage just before it runs.
	BeforeStage BeforeHook[S]
	// AfterStage, when set, observes each stage's final outcome: success,
	// failure or cancellation.
	AfterStage AfterHook[S]
	// Middleware wraps every stage call; the first entry is the outermost.
	Middleware []Middleware[S]
	// OnHookError, when set, receives every error or panic of a hook. Hook
	// failures never stop a run. By default they are logged at debug level.
	// A panic in OnHookError itself is recovered and logged through Logger
	// at debug level.
	OnHookError func(stage string, err error)
	// Logger receives the library's debug logs. Default: [slog.Default].
	Logger *slog.Logger
	// Sleep waits out the delay before a retry and returns early with the
	// context's error when ctx is done. Default: a timer. Tests set it to
	// record delays instead of waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// StageOptions configures one stage. The zero value runs the handler once
// with no timeout.
type StageOptions struct {
	// Timeout bounds each attempt, not the whole stage: every retry gets a
	// fresh budget and retry delays are not counted. Zero means no limit.
	Timeout time.Duration
	// Retry decides whether and when a failed attempt is tried again.
	// Default: no retries.
	Retry RetryPolicy
}

func (o StageOptions) validate() (field string, detail string, err error) {
	if o.Timeout < 0 {
		return "Timeout", o.Timeout.String() + ", must not be negative", ErrInvalidTimeout
	}
	field, detail, err = o.Retry.validate()
	if err != nil {
		return "Retry." + field, detail, err
	}
	return "", "", nil
}

// Backoff is the growth rule of the delay before each retry.
type Backoff int

const (
	// BackoffFixed waits Delay before every retry.
	BackoffFixed Backoff = iota
	// BackoffExponential waits Delay·2^(n−1) before retry n (1-based).
	BackoffExponential
)

func (b Backoff) String() string {
	switch b {
	case BackoffFixed:
		return "fixed"
	case BackoffExponential:
		return "exponential"
	}
	return fmt.Sprintf("Backoff(%d)", int(b))
}

// RetryPolicy is when and how often to try a failed call again. The zero
// value makes exactly one attempt.
//
// Errors marked with [Permanent], errors that RetryIf rejects, and errors
// after the caller's context is done are never retried.
type RetryPolicy struct {
	// Retries is the number of retries after the first attempt, so a call is
	// made at most 1+Retries times. Default 0.
	Retries int
	// Delay is the wait before the first retry. Zero retries at once.
	Delay time.Duration
	// Backoff is the growth rule of the delay from one retry to the next.
	// Default [BackoffFixed].
	Backoff Backoff
	// MaxDelay caps each delay, jitter included. Zero means no cap.
	MaxDelay time.Duration
	// Jitter, a fraction in [0, 1], shortens each delay by a random part of
	// up to that fraction. Default 0, no jitter.
	Jitter float64
	// RetryIf, when set, decides whether an error may be retried; it is
	// consulted only for errors that are not permanent.
	RetryIf func(error) bool
}

func (r RetryPolicy) validate() (field string, detail string, err error) {
	switch {
	case r.Retries < 0:
		return "Retries", fmt.Sprint(r.Retries) + ", must not be negative", ErrInvalidRetries
	case r.Delay < 0:
		return "Delay", r.Delay.String() + ", must not be negative", ErrInvalidDelay
	case r.Backoff != BackoffFixed && r.Backoff != BackoffExponential:
		return "Backoff", r.Backoff.String() + ", must be fixed or exponential",
			ErrInvalidBackoff
	case r.MaxDelay < 0:
		return "MaxDelay", r.MaxDelay.String() + ", must not be negative", ErrInvalidDelay
	case math.IsNaN(r.Jitter) || r.Jitter < 0 || r.Jitter > 1:
		return "Jitter", fmt.Sprint(r.Jitter) + ", must be between 0 and 1", ErrInvalidJitter
	}
	return "", "", nil
}

// Validate reports an invalid policy as a [*ConfigError] naming the field.
func (r RetryPolicy) Validate() error {
	field, detail, err := r.validate()
	if err != nil {
		return &ConfigError{Field: field, Detail: detail, Err: err}
	}
	return nil
}

// BaseDelay returns the delay before retry n (1-based) without jitter:
// Delay for fixed backoff, Delay·2^(n−1) for exponential, capped by MaxDelay.
func (r RetryPolicy) BaseDelay(n int) time.Duration {
	d := r.Delay
	if r.Backoff == BackoffExponential && n > 1 && d > 0 {
		d = scaleDelay(d, math.Exp2(float64(n-1)))
	}
	if r.MaxDelay > 0 && d > r.MaxDelay {
		d = r.MaxDelay
	}
	return d
}

// NextDelay returns the delay to wait before retry n (1-based): BaseDelay(n)
// shortened by a random jitter when Jitter is set.
func (r RetryPolicy) NextDelay(n int) time.Duration {
	d := r.BaseDelay(n)
	if r.Jitter > 0 && d > 0 {
		d -= time.Duration(float64(d) * r.Jitter * rand.Float64())
	}
	return d
}

// Retryable reports whether err may be retried: it is not permanent, not a
// cancellation of ctx, and RetryIf (when set) accepts it. A RetryIf that
// panics rejects the error, so the call fails with it instead of crashing.
func (r RetryPolicy) Retryable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrPermanent) {
		return false
	}
	return r.RetryIf == nil || r.accepts(err)
}

func (r RetryPolicy) accepts(err error) (retry bool) {
	defer func() {
		if recover() != nil {
			retry = false
		}
	}()
	return r.RetryIf(err)
}

// scaleDelay multiplies d by f without overflowing time.Duration.
func scaleDelay(d time.Duration, f float64) time.Duration {
	scaled := float64(d) * f
	if scaled >= math.MaxInt64 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(scaled)
}

// SleepContext waits for d or until ctx is done, whichever comes first, and
// returns ctx's error in the second case. It is the default retry sleep.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
