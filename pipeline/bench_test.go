package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Each benchmark sits next to a hand-written baseline that does the same
// work, so that results are compared as ratios taken from one run:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./pipeline/

type benchState struct{ N int }

func noop(_ context.Context, v int) (int, error) { return v, nil }

func newNoopPipeline(
	b *testing.B, stages int, opts pipeline.StageOptions,
) *pipeline.Pipeline[int, int, benchState] {
	b.Helper()
	list := make([]pipeline.Stage, stages)
	for i := range list {
		list[i] = pipeline.NewStage(fmt.Sprint("stage-", i), noop, opts)
	}
	p, err := pipeline.New[int, int]("bench", pipeline.Options[benchState]{}, list...)
	require.NoError(b, err)
	return p
}

func benchmarkRun(b *testing.B, opts pipeline.StageOptions) {
	p := newNoopPipeline(b, 3, opts)
	ctx := b.Context()
	var state benchState
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := p.Run(ctx, i, &state); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun measures the overhead of Run over three no-op stages.
func BenchmarkRun(b *testing.B) { benchmarkRun(b, pipeline.StageOptions{}) }

// BenchmarkRunTimeout is BenchmarkRun with a timeout on every stage, which
// costs a private state copy, a timer and a goroutine per attempt.
func BenchmarkRunTimeout(b *testing.B) {
	benchmarkRun(b, pipeline.StageOptions{Timeout: time.Minute})
}

// baselineError is the baseline's version of *pipeline.StageError.
type baselineError struct {
	stage    string
	attempts int
	err      error
}

func (e *baselineError) Error() string {
	return fmt.Sprintf("stage %q failed after %d attempts: %v", e.stage, e.attempts, e.err)
}

func (e *baselineError) Unwrap() error { return e.err }

// callDirect calls noop as one stage would: stop when ctx is done, and wrap
// a failure with the stage name.
func callDirect(ctx context.Context, stage string, v int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, &baselineError{stage: stage, err: err}
	}
	out, err := noop(ctx, v)
	if err != nil {
		return 0, &baselineError{stage: stage, attempts: 1, err: err}
	}
	return out, nil
}

// BenchmarkRunBaseline is the hand-written counterpart of BenchmarkRun.
func BenchmarkRunBaseline(b *testing.B) {
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v, err := callDirect(ctx, "stage-0", i)
		if err == nil {
			v, err = callDirect(ctx, "stage-1", v)
		}
		if err == nil {
			_, err = callDirect(ctx, "stage-2", v)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

const (
	benchItems       = 10_000
	benchConcurrency = 8
)

func reportItemRate(b *testing.B) {
	b.ReportMetric(float64(benchItems*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkMap runs a one-stage no-op pipeline on benchItems items.
func BenchmarkMap(b *testing.B) {
	p := newNoopPipeline(b, 1, pipeline.StageOptions{})
	items := make([]int, benchItems)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Map(ctx, items, benchConcurrency, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportItemRate(b)
}

// BenchmarkMapBaseline is the errgroup counterpart of BenchmarkMap.
func BenchmarkMapBaseline(b *testing.B) {
	items := make([]int, benchItems)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		outs := make([]int, len(items))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(benchConcurrency)
		for i, item := range items {
			g.Go(func() error {
				v, err := noop(gctx, item)
				outs[i] = v
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	reportItemRate(b)
}
