package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
)

// activitySettings are the timeouts and the retry policy of one activity,
// as the service records them when the activity is scheduled.
type activitySettings struct {
	ScheduleToClose    time.Duration
	ScheduleToStart    time.Duration
	StartToClose       time.Duration
	Heartbeat          time.Duration
	InitialInterval    time.Duration
	MaximumInterval    time.Duration
	BackoffCoefficient float64
	MaximumAttempts    int32
	NonRetryable       string // error types, comma-separated
}

// stageSettings maps a stage name to every distinct activitySettings that
// the activities of that stage were scheduled with. Both workflows schedule
// every activity of a stage the same way, so compareSettings expects one
// element per set.
type stageSettings map[string]map[activitySettings]bool

func (s stageSettings) add(stage string, settings activitySettings) {
	if s[stage] == nil {
		s[stage] = map[activitySettings]bool{}
	}
	s[stage][settings] = true
}

// historySummary is the counts and activity settings read from the history
// of a finished workflow run.
type historySummary struct {
	Events        int
	WorkflowTasks int // started workflow tasks
	Bytes         int // encoded size of the events, payloads included
	Settings      stageSettings
}

// readHistory counts the events, workflow tasks and bytes of a closed
// workflow run and collects the settings of its scheduled activities per
// stage. The stage is the part of
// the activity type after prefix.
func readHistory(
	ctx context.Context, c client.Client, workflowID, runID, prefix string,
) (historySummary, error) {
	summary := historySummary{Settings: stageSettings{}}
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return historySummary{}, fmt.Errorf("read history of workflow %s run %s: %w",
				workflowID, runID, err)
		}
		summary.Events++
		summary.Bytes += proto.Size(event)
		if event.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED {
			summary.WorkflowTasks++
		}
		if attrs := event.GetActivityTaskScheduledEventAttributes(); attrs != nil {
			stage := strings.TrimPrefix(attrs.GetActivityType().GetName(), prefix)
			summary.Settings.add(stage, scheduledSettings(attrs))
		}
	}
	return summary, nil
}

// scheduledSettings returns the settings recorded in a scheduled event.
func scheduledSettings(attrs *historypb.ActivityTaskScheduledEventAttributes) activitySettings {
	s := activitySettings{
		ScheduleToClose: attrs.GetScheduleToCloseTimeout().AsDuration(),
		ScheduleToStart: attrs.GetScheduleToStartTimeout().AsDuration(),
		StartToClose:    attrs.GetStartToCloseTimeout().AsDuration(),
		Heartbeat:       attrs.GetHeartbeatTimeout().AsDuration(),
	}
	setRetry(&s, attrs.GetRetryPolicy())
	return s
}

func setRetry(s *activitySettings, p *commonpb.RetryPolicy) {
	s.InitialInterval = p.GetInitialInterval().AsDuration()
	s.MaximumInterval = p.GetMaximumInterval().AsDuration()
	s.BackoffCoefficient = p.GetBackoffCoefficient()
	s.MaximumAttempts = p.GetMaximumAttempts()
	s.NonRetryable = strings.Join(p.GetNonRetryableErrorTypes(), ",")
}

// compareSettings returns an error naming the first stage whose activities
// were scheduled with other settings in ours than in the hand-written
// workflow, or with more than one set of settings in either.
func compareSettings(ours, handWritten stageSettings) error {
	stages := slices.Sorted(maps.Keys(ours))
	if want := slices.Sorted(maps.Keys(handWritten)); !slices.Equal(stages, want) {
		return fmt.Errorf("%w: stages %v in ours, %v in the hand-written workflow",
			errSettingsDiffer, stages, want)
	}
	for _, stage := range stages {
		a, b := ours[stage], handWritten[stage]
		if len(a) != 1 || len(b) != 1 || !maps.Equal(a, b) {
			return fmt.Errorf("%w: stage %s: ours %+v, hand-written %+v",
				errSettingsDiffer, stage, slices.Collect(maps.Keys(a)),
				slices.Collect(maps.Keys(b)))
		}
	}
	return nil
}
