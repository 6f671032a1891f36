package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// orderState is the run state of the examples. It must be encodable as JSON.
type orderState struct {
	Steps []string
}

// newNumbers returns a pipeline that parses a decimal string and doubles it.
func newNumbers(opts pipeline.Options[orderState]) *pipeline.Pipeline[string, int, orderState] {
	parse := pipeline.NewStage("parse", func(_ context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	}, pipeline.StageOptions{})
	double := pipeline.NewStateStage("double",
		func(_ context.Context, n int, state *orderState) (int, error) {
			state.Steps = append(state.Steps, "doubled "+strconv.Itoa(n))
			return n * 2, nil
		}, pipeline.StageOptions{})
	p, err := pipeline.New[string, int]("numbers", opts, parse, double)
	if err != nil {
		panic(err) // the stages above always fit together
	}
	return p
}

func ExampleNew() {
	p := newNumbers(pipeline.Options[orderState]{})

	var state orderState
	out, err := p.Run(context.Background(), "21", &state)
	fmt.Println(out, err)
	fmt.Println(state.Steps)

	_, err = p.Run(context.Background(), "twenty", nil)
	var se *pipeline.StageError
	if errors.As(err, &se) {
		fmt.Printf("stage %s failed after %d attempt(s)\n", se.Stage, se.Attempts)
	}
	// Output:
	// 42 <nil>
	// [doubled 21]
	// stage parse failed after 1 attempt(s)
}

func ExamplePipeline_Map() {
	p := newNumbers(pipeline.Options[orderState]{})

	outs, err := p.Map(context.Background(), []string{"1", "2", "3"}, 2, nil)
	fmt.Println(outs, err)

	_, err = p.Map(context.Background(), []string{"1", "two", "3"}, 1, nil)
	var me *pipeline.MapError
	if errors.As(err, &me) {
		for _, item := range me.Items {
			var se *pipeline.StageError
			errors.As(item, &se)
			fmt.Printf("item %d failed in stage %s\n", item.Index, se.Stage)
		}
	}
	// Output:
	// [2 4 6] <nil>
	// item 1 failed in stage parse
}

func ExamplePipeline_MapSettled() {
	p := newNumbers(pipeline.Options[orderState]{})

	template := &orderState{Steps: []string{"start"}}
	results, err := p.MapSettled(context.Background(), []string{"1", "x", "3"}, 2, template)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results {
		if r.Err != nil {
			fmt.Printf("%d: failed, state %v\n", i, r.State.Steps)
			continue
		}
		fmt.Printf("%d: %d, state %v\n", i, r.Value, r.State.Steps)
	}
	fmt.Println("template:", template.Steps)
	// Output:
	// 0: 2, state [start doubled 1]
	// 1: failed, state [start]
	// 2: 6, state [start doubled 3]
	// template: [start]
}

func ExampleOptions_hooks() {
	opts := pipeline.Options[orderState]{
		BeforeStage: func(_ context.Context, stage string, input any, _ *orderState) error {
			fmt.Printf("before %s(%v)\n", stage, input)
			return nil
		},
		AfterStage: func(_ context.Context, stage string, _, output any, err error,
			_ *orderState) error {
			fmt.Printf("after %s: %v, %v\n", stage, output, err != nil)
			return errors.New("hook failures never stop the run")
		},
		OnHookError: func(stage string, err error) {
			fmt.Printf("hook of %s failed\n", stage)
		},
	}
	p := newNumbers(opts)

	out, err := p.Run(context.Background(), "5", nil)
	fmt.Println(out, err)
	// Output:
	// before parse(5)
	// after parse: 5, false
	// hook of parse failed
	// before double(5)
	// after double: 10, false
	// hook of double failed
	// 10 <nil>
}

func ExampleMiddleware() {
	trace := func(name string) pipeline.Middleware[orderState] {
		return func(ctx context.Context, stage string, input any, state *orderState,
			next pipeline.Handler[orderState]) (any, error) {
			fmt.Printf("%s enters %s\n", name, stage)
			out, err := next(ctx, input, state)
			fmt.Printf("%s leaves %s\n", name, stage)
			return out, err
		}
	}
	// The first middleware is the outermost.
	p := newNumbers(pipeline.Options[orderState]{
		Middleware: []pipeline.Middleware[orderState]{trace("outer"), trace("inner")},
	})

	out, err := p.Run(context.Background(), "4", nil)
	fmt.Println(out, err)
	// Output:
	// outer enters parse
	// inner enters parse
	// inner leaves parse
	// outer leaves parse
	// outer enters double
	// inner enters double
	// inner leaves double
	// outer leaves double
	// 8 <nil>
}

func ExamplePermanent() {
	errUnavailable := errors.New("service unavailable")
	errNotFound := errors.New("order not found")
	calls := 0
	fetch := pipeline.NewStage("fetch", func(_ context.Context, id string) (string, error) {
		calls++
		if calls == 1 {
			return "", errUnavailable // retried
		}
		return "", pipeline.Permanent(errNotFound) // not retried
	}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 5}})
	p, err := pipeline.New[string, string]("orders", pipeline.Options[orderState]{}, fetch)
	if err != nil {
		fmt.Println(err)
		return
	}

	_, err = p.Run(context.Background(), "A-1", nil)
	fmt.Println("calls:", calls)
	fmt.Println("not found:", errors.Is(err, errNotFound))
	fmt.Println("permanent:", errors.Is(err, pipeline.ErrPermanent))
	// Output:
	// calls: 2
	// not found: true
	// permanent: true
}
