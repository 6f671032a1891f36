package temporalrun

import (
	"math"
	"reflect"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Bounds of the retry intervals given to the Temporal service.
const (
	// MinRetryInterval is the retry interval of a stage whose Delay is zero.
	// The Temporal service reads a zero interval as its one-second default,
	// so "retry at once" becomes this short wait.
	// NOTE: a Temporal dev server (CLI v1.5.1, server 1.29) still waited
	// about a second before each retry with intervals below a second.
	MinRetryInterval = time.Millisecond

	// MaxRetryInterval is the longest retry interval a stage gets on
	// Temporal. It applies only to exponential backoff without MaxDelay
	// after many retries, where the in-process delay would be longer.
	MaxRetryInterval = 365 * 24 * time.Hour
)

// heartbeatEvery is how often an activity heartbeats when its stage has no
// HeartbeatTimeout. The SDK batches heartbeats (every 30 seconds by
// default in SDK v1.51), so this only bounds how late a cancellation is
// noticed.
const heartbeatEvery = 5 * time.Second

// stageSpec contains the settings of one stage that the workflow and the
// activity need. New computes it once, so that workflow code never
// iterates over a map.
type stageSpec struct {
	name         string
	activityName string
	input        reflect.Type
	retry        pipeline.RetryPolicy
	maxAttempts  int
	options      workflow.ActivityOptions
	heartbeat    time.Duration // interval of the activity's own heartbeats
}

func newStageSpec(pipelineName string, st pipeline.Stage, so StageOptions, opts Options) stageSpec {
	retry := st.Options().Retry
	policy := retryPolicy(retry)
	spec := stageSpec{
		name:         st.Name(),
		activityName: activityName(pipelineName, st.Name()),
		input:        st.InputType(),
		retry:        retry,
		maxAttempts:  int(policy.MaximumAttempts),
		heartbeat:    heartbeatEvery,
		options: workflow.ActivityOptions{
			TaskQueue:              so.TaskQueue,
			StartToCloseTimeout:    startToClose(st.Options().Timeout, so, opts),
			ScheduleToCloseTimeout: so.ScheduleToCloseTimeout,
			HeartbeatTimeout:       so.HeartbeatTimeout,
			RetryPolicy:            policy,
		},
	}
	if so.HeartbeatTimeout > 0 {
		spec.heartbeat = so.HeartbeatTimeout / 2
	}
	return spec
}

// startToClose picks the activity's start-to-close timeout: the explicit
// override, else the stage timeout plus the grace, else the default.
func startToClose(stageTimeout time.Duration, so StageOptions, opts Options) time.Duration {
	switch {
	case so.StartToCloseTimeout > 0:
		return so.StartToCloseTimeout
	case stageTimeout > 0:
		return stageTimeout + StartToCloseGrace
	case opts.DefaultStartToCloseTimeout > 0:
		return opts.DefaultStartToCloseTimeout
	}
	return DefaultStartToClose
}

// retryPolicy gives the Temporal service the same attempts and delays as the
// in-process retry loop: 1+Retries attempts, Delay before the first retry,
// doubled per retry for exponential backoff and capped by MaxDelay. Jitter
// is added per failure through the error's next retry delay.
func retryPolicy(r pipeline.RetryPolicy) *temporal.RetryPolicy {
	initial := clampInterval(r.BaseDelay(1))
	coefficient := 1.0
	if r.Backoff == pipeline.BackoffExponential && r.Delay > 0 {
		coefficient = 2
	}
	// The service caps every delay, the next retry delay of an error
	// included, at MaximumInterval, so it must cover the longest delay.
	longest := clampInterval(r.BaseDelay(max(r.Retries, 1)))
	return &temporal.RetryPolicy{
		InitialInterval:    initial,
		BackoffCoefficient: coefficient,
		MaximumInterval:    max(longest, initial),
		MaximumAttempts:    int32(min(int64(r.Retries)+1, math.MaxInt32)),
	}
}

func clampInterval(d time.Duration) time.Duration {
	return min(max(d, MinRetryInterval), MaxRetryInterval)
}
