package temporalrun_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/worker"
)

// TestReplayHistories replays the histories in testdata, recorded from
// real runs by TestRecordHistories (see record_test.go), against the
// current workflow code. A failure means the code now issues different
// commands for the same history: running workflows would break on upgrade.
func TestReplayHistories(t *testing.T) {
	t.Parallel()
	for _, id := range replayHistories {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			replayer := sdkworker.NewWorkflowReplayer()
			require.NoError(t, worker.RegisterWorkflows(replayer,
				newReplayPipeline(t, replayStages()...)))
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil,
				filepath.Join("testdata", id+".json")))
		})
	}
}

func TestReplayDetectsChangedStages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stages func() []pipeline.Stage
	}{
		{name: "stages swapped", stages: func() []pipeline.Stage {
			stages := replayStages()
			stages[0], stages[1] = stages[1], stages[0]
			return stages
		}},
		{name: "stage removed", stages: func() []pipeline.Stage {
			return slices.Delete(replayStages(), 1, 2)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			replayer := sdkworker.NewWorkflowReplayer()
			changed := newReplayPipeline(t, tt.stages()...)
			require.NoError(t, worker.RegisterWorkflows(replayer, changed))
			err := replayer.ReplayWorkflowHistoryFromJSONFile(nil,
				filepath.Join("testdata", historyRun+".json"))
			require.ErrorContains(t, err, "TMPRL1100", "a nondeterminism error")
		})
	}
}
