package pipeline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	stageErr := &pipeline.StageError{Stage: "fetch", Attempts: 3, Err: errBoom}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{name: "config error",
			err: &pipeline.ConfigError{Pipeline: "orders", Stage: "fetch",
				Field: "Retry.Retries", Detail: "-1", Err: pipeline.ErrInvalidRetries},
			want: []string{pipeline.ErrInvalidRetries.Error(), `"orders"`, `"fetch"`,
				"Retry.Retries", "-1"}},
		{name: "stage error", err: stageErr,
			want: []string{`"fetch"`, "3 attempts", "boom"}},
		{name: "stage error one attempt",
			err:  &pipeline.StageError{Stage: "fetch", Attempts: 1, Err: errBoom},
			want: []string{"1 attempt:"}},
		{name: "panic error", err: &pipeline.PanicError{Value: "kaboom"},
			want: []string{"panic", "kaboom"}},
		{name: "map error",
			err: &pipeline.MapError{Items: []*pipeline.ItemError{
				{Index: 2, Err: stageErr}, {Index: 5, Err: errBoom},
			}},
			want: []string{"2 item(s) failed", "item 2", `"fetch"`, "item 5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, part := range tc.want {
				assert.Contains(t, tc.err.Error(), part)
			}
		})
	}
}

func TestTimeoutErrorMessage(t *testing.T) {
	t.Parallel()
	p := newPipeline(t, pipeline.Options[testState]{},
		pipeline.NewStage("slow", blockUntilDone, pipeline.StageOptions{Timeout: shortTimeout}))
	_, err := p.Run(t.Context(), 1, nil)
	assert.Contains(t, err.Error(), "timed out after "+shortTimeout.String())
}
