package temporalrun_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// The replay pipeline is the one whose histories are stored in testdata:
// record_test.go records them on a Temporal service and replay_test.go
// replays them. Changing its stages or the workflow code in a way that
// changes the commands a workflow issues makes the replay fail.

// replayTaskQueue is the task queue of the recorded workflows.
const replayTaskQueue = "replay"

// Inputs of the replay pipeline with special outcomes.
const (
	replayFailing = 11 // fails stage "check" permanently
	replayBlocked = -3 // blocks in stage "wait" until cancelled
)

// replayStages returns the stages of the replay pipeline. Stage "flaky"
// fails its first call for each input and succeeds on the retry.
func replayStages() []pipeline.Stage {
	var seen sync.Map
	return []pipeline.Stage{
		addStage(&calls{}, "add", 1, pipeline.StageOptions{}),
		pipeline.NewStateStage("flaky", func(_ context.Context, v int, s *runState) (int, error) {
			visit(&calls{}, "flaky", s)
			if _, again := seen.LoadOrStore(v, true); !again {
				return 0, fmt.Errorf("first call for %d: %w", v, errFlaky)
			}
			return v + 1, nil
		}, pipeline.StageOptions{Retry: pipeline.RetryPolicy{Retries: 1,
			Delay: 100 * time.Millisecond}}),
		failOnStage(&calls{}, "check", replayFailing+2, pipeline.StageOptions{}),
		pipeline.NewStage("wait", func(ctx context.Context, v int) (int, error) {
			if v == replayBlocked+3 {
				<-ctx.Done()
				return 0, ctx.Err()
			}
			return v, nil
		}, pipeline.StageOptions{Timeout: time.Minute}),
	}
}

// newReplayPipeline returns the replay pipeline, built with stages.
func newReplayPipeline(
	t *testing.T, stages ...pipeline.Stage,
) *temporalrun.Pipeline[int, int, runState] {
	t.Helper()
	return newTemporal(t, newPipeline(t, "replay", hookOptions(), stages...), temporalrun.Options{})
}

// replayMapItems are the items of the recorded Maps; one of them fails.
var replayMapItems = []int{1, 2, replayFailing, 4, 5}

// Workflow IDs of the recorded histories, also their file names in
// testdata without the ".json" suffix.
const (
	historyRun       = "replay-run"
	historyRunFailed = "replay-run-failed"
	historyCancelled = "replay-run-cancelled"
	historyMap       = "replay-map"
	historyMapSettle = "replay-map-settled"
)

var replayHistories = []string{
	historyRun, historyRunFailed, historyCancelled, historyMap, historyMapSettle,
}
