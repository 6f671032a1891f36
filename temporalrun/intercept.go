package temporalrun

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// handlerCallKey is the context key of the *handlerCall that the
// interceptor passes to the activity through the rest of the chain.
type handlerCallKey struct{}

// handlerCall is one handler call requested by the middleware chain that
// InterceptActivity runs. The input and state are already decoded, so the
// activity decodes nothing and the middleware receives the handler's own
// output and error rather than their encoded form.
type handlerCall[S any] struct {
	stage string
	input any
	state *S

	done bool
	out  any
	err  error
}

// runHandler is the signature of [pipeline.Pipeline.RunHandler].
type runHandler[S any] func(ctx context.Context, stage string, input any, state *S) (any, error)

// run makes the handler call, bounded by the stage timeout.
func (c *handlerCall[S]) run(ctx context.Context, handler runHandler[S]) {
	c.out, c.err = handler(ctx, c.stage, c.input, c.state)
	if cerr := ctx.Err(); c.err != nil && cerr != nil && !errors.Is(c.err, cerr) {
		// Report an attempt that ended because the activity was cancelled
		// or timed out as such, as the in-process retry loop does.
		c.err = fmt.Errorf("%w: %w", cerr, c.err)
	}
	c.done = true
}

// InterceptActivity runs one attempt of a stage activity for the activity
// interceptor of package worker. It decodes the request and calls the
// before hook on the first attempt. It then runs the stage's middleware
// around next, the rest of the interceptor chain, which ends in the
// activity making the handler call. Last it calls the after hook on the
// attempt that ends the stage and encodes the result. Activities of other
// pipelines, and a second copy of the interceptor in the same chain, pass
// straight to next.
func (p *Pipeline[In, Out, S]) InterceptActivity(
	ctx context.Context,
	in *interceptor.ExecuteActivityInput,
	next interceptor.ActivityInboundInterceptor,
) (any, error) {
	i, ours := p.byActivity[activity.GetInfo(ctx).ActivityType.Name]
	var req runRequest
	if ours && len(in.Args) == 1 {
		req, ours = in.Args[0].(runRequest)
	}
	if !ours || ctx.Value(handlerCallKey{}) != nil {
		return next.ExecuteActivity(ctx, in)
	}

	st := &p.stages[i]
	inner := func(ctx context.Context, input any, state *S) (any, error) {
		call := &handlerCall[S]{stage: st.name, input: input, state: state}
		_, err := next.ExecuteActivity(context.WithValue(ctx, handlerCallKey{}, call), in)
		if call.done {
			return call.out, call.err
		}
		return nil, err // an inner interceptor returned before the activity ran
	}
	return p.runAttempt(ctx, st, req, inner)
}
