package middleware

import (
	"context"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// TimingRecorder is a run state that stores stage durations. [Timings]
// implements it through its pointer, so a state gets it by embedding
// Timings.
type TimingRecorder interface {
	// RecordTiming stores d as the duration of one call of the named stage.
	RecordTiming(stage string, d time.Duration)
}

// Timings maps a stage name to the duration of each call of that stage, in
// call order. Embed it in a run state to use [Timing]:
//
//	type State struct {
//		middleware.Timings `json:"timings,omitempty"`
//	}
//
// It encodes to JSON as an object of arrays of nanosecond counts, so the state
// stays JSON-serializable. The zero value (a nil map) is ready to use.
// Timings is not safe for concurrent use, like the run state that holds it.
type Timings map[string][]time.Duration

// RecordTiming appends d to the durations of stage, making the map on
// first use.
func (t *Timings) RecordTiming(stage string, d time.Duration) {
	if *t == nil {
		*t = make(Timings)
	}
	(*t)[stage] = append((*t)[stage], d)
}

// Timing returns a middleware that measures each stage call with
// [time.Since] and passes the duration to the run state's RecordTiming
// method. It records failed calls too, and appends one entry per call, so a
// stage name shared by two pipelines that run on one state gets an entry for
// each. The measured time covers everything inside the middleware: inner
// middleware, the stage's retries and the delays between them.
//
// The type parameter PS ties the state to its recorder at compile time:
// Timing[State]() compiles only when *State has a RecordTiming method, for
// example by embedding [Timings]. The middleware is safe for concurrent use
// when every concurrent run has its own state, as [pipeline.Pipeline.Map]
// gives each item.
func Timing[S any, PS interface {
	*S
	TimingRecorder
}]() pipeline.Middleware[S] {
	return func(
		ctx context.Context, stage string, input any, state *S, next pipeline.Handler[S],
	) (any, error) {
		start := time.Now()
		out, err := next(ctx, input, state)
		if state != nil {
			PS(state).RecordTiming(stage, time.Since(start))
		}
		return out, err
	}
}
