package temporalrun_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

func TestUnregisteredActivityHint(t *testing.T) {
	t.Parallel()
	tp := newTemporal(t, newPipeline(t, "numbers", pipeline.Options[runState]{},
		addStage(&calls{}, "parse", 1, pipeline.StageOptions{})), temporalrun.Options{})
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	require.NoError(t, worker.RegisterWorkflows(env, tp))
	// A stand-in for another pipeline's activity, so the test environment
	// starts a worker that lacks the stage's activity.
	env.RegisterActivityWithOptions(func(context.Context) error { return nil },
		activity.RegisterOptions{Name: "other.stage"})

	env.ExecuteWorkflow(tp.WorkflowName(), map[string]any{"input": 1})
	err := temporalrun.DecodeError(env.GetWorkflowError(), nil)
	var se *pipeline.StageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "parse", se.Stage)
	var remote *temporalrun.RemoteError
	require.ErrorAs(t, err, &remote)
	require.Equal(t, "ActivityNotRegisteredError", remote.Type)
	require.Contains(t, remote.Message, "numbers.parse")
	require.Contains(t, remote.Message, "must register the same pipelines")
}
