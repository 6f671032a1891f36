package temporalrun_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

func ExampleNew() {
	trim := pipeline.NewStage("trim", func(_ context.Context, s string) (string, error) {
		return strings.TrimSpace(s), nil
	}, pipeline.StageOptions{})
	upper := pipeline.NewStage("upper", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s), nil
	}, pipeline.StageOptions{})
	p, err := pipeline.New[string, string]("names", pipeline.Options[struct{}]{}, trim, upper)
	if err != nil {
		panic(err)
	}

	tp, err := temporalrun.New(p, temporalrun.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(tp.WorkflowName())
	fmt.Println(tp.MapWorkflowName())
	for _, stage := range tp.StageNames() {
		fmt.Println(tp.ActivityName(stage))
	}
	fmt.Println(tp.MaxMapItems(temporalrun.DefaultMapConcurrency))
	// Output:
	// names
	// names.map
	// names.trim
	// names.upper
	// 4164
}
