package temporalrun

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Names and defaults shared by workers and clients.
const (
	// DefaultTaskQueue is the task queue used when
	// client.StartWorkflowOptions.TaskQueue is empty and when a worker is
	// created for the empty task queue name. Every worker polling a task
	// queue must register the same pipelines, because the Temporal service
	// dispatches each task to any poller of the queue. Share this queue only
	// among workers of one deployment, and give each deployment of a set
	// of pipelines its own task queue.
	DefaultTaskQueue = "async-pipeline"

	// ProgressQuery is the query type that every Map workflow handles. Its
	// result is a [Progress].
	ProgressQuery = "progress"

	// DefaultStartToClose is the start-to-close timeout of an activity
	// whose stage has no Timeout, when [Options.DefaultStartToCloseTimeout]
	// is zero. The Temporal service needs some bound to notice a worker
	// that died during an attempt.
	DefaultStartToClose = 10 * time.Minute

	// StartToCloseGrace is added to a stage's Timeout to make the
	// activity's start-to-close timeout. The pipeline's own per-attempt
	// timeout then fires first and reports an error matching
	// [pipeline.ErrTimeout], and the Temporal service's timeout only
	// catches a worker that stopped responding.
	StartToCloseGrace = 5 * time.Second
)

// Options configures how [New] runs a pipeline on Temporal. The zero value
// is usable: every stage gets the defaults described on each field.
type Options struct {
	// DefaultStartToCloseTimeout is the start-to-close timeout of the
	// activity of every stage that has no Timeout of its own.
	// Default: [DefaultStartToClose]. A stage with a Timeout gets
	// Timeout + [StartToCloseGrace].
	DefaultStartToCloseTimeout time.Duration

	// Stages holds Temporal-only settings per stage name. A stage that is
	// not listed gets the zero [StageOptions]. New rejects names that are
	// not stages of the pipeline.
	Stages map[string]StageOptions

	// MaxConcurrency caps the concurrency of a Map. Default:
	// [DefaultMaxConcurrency]. New rejects values above
	// [MaxConcurrencyLimit].
	MaxConcurrency int
}

// StageOptions holds the Temporal-only settings of one stage. Each non-zero
// field overrides what is derived from the stage's own options; the zero
// value changes nothing.
type StageOptions struct {
	// TaskQueue is the task queue of the stage's activity. Default: the
	// workflow's task queue. A worker for this queue must register the same
	// pipeline.
	TaskQueue string

	// StartToCloseTimeout replaces the derived start-to-close timeout.
	// For a stage with a Timeout it must be above that Timeout, so that
	// the pipeline reports the timeout rather than the Temporal service.
	// [New] rejects a value at or below it.
	StartToCloseTimeout time.Duration

	// ScheduleToCloseTimeout bounds all attempts of the stage together,
	// retry delays included. Default: no bound. When it expires before the
	// last attempt, the stage fails with fewer attempts than in-process.
	ScheduleToCloseTimeout time.Duration

	// HeartbeatTimeout lets the Temporal service notice a stopped worker
	// before the start-to-close timeout. The activity heartbeats on its
	// own while the handler runs, so handlers need not call
	// activity.RecordHeartbeat. Default: none.
	HeartbeatTimeout time.Duration
}

func (o Options) validate(p stageLister) error {
	names := make([]string, 0, len(o.Stages))
	for name := range o.Stages {
		names = append(names, name)
	}
	slices.Sort(names) // report the same name on every call
	for _, name := range names {
		if err := o.Stages[name].validate(p, name); err != nil {
			return err
		}
	}
	if o.DefaultStartToCloseTimeout < 0 {
		return &pipeline.ConfigError{Pipeline: p.Name(), Field: "DefaultStartToCloseTimeout",
			Detail: o.DefaultStartToCloseTimeout.String() + ", must not be negative",
			Err:    pipeline.ErrInvalidTimeout}
	}
	return o.validateConcurrency(p.Name())
}

func (o Options) validateConcurrency(name string) error {
	switch {
	case o.MaxConcurrency < 0:
		return &pipeline.ConfigError{Pipeline: name, Field: "MaxConcurrency",
			Detail: strconv.Itoa(o.MaxConcurrency) + ", must not be negative",
			Err:    pipeline.ErrInvalidConcurrency}
	case o.MaxConcurrency > MaxConcurrencyLimit:
		return &pipeline.ConfigError{Pipeline: name, Field: "MaxConcurrency",
			Detail: fmt.Sprintf("%d, maximum %d", o.MaxConcurrency, MaxConcurrencyLimit),
			Err:    ErrConcurrencyTooHigh}
	}
	return nil
}

// stageLister is the part of a pipeline that option checks need.
type stageLister interface {
	Name() string
	Stages() []pipeline.Stage
}

func (o StageOptions) validate(p stageLister, name string) error {
	i := slices.IndexFunc(p.Stages(), func(s pipeline.Stage) bool {
		return s.Name() == name
	})
	if i < 0 {
		return &pipeline.ConfigError{Pipeline: p.Name(), Stage: name, Field: "Stages",
			Err: pipeline.ErrUnknownStage}
	}
	fields := []struct {
		name  string
		value time.Duration
	}{
		{"StartToCloseTimeout", o.StartToCloseTimeout},
		{"ScheduleToCloseTimeout", o.ScheduleToCloseTimeout},
		{"HeartbeatTimeout", o.HeartbeatTimeout},
	}
	for _, f := range fields {
		if f.value < 0 {
			return &pipeline.ConfigError{Pipeline: p.Name(), Stage: name, Field: f.name,
				Detail: f.value.String() + ", must not be negative", Err: pipeline.ErrInvalidTimeout}
		}
	}
	timeout := p.Stages()[i].Options().Timeout
	if o.StartToCloseTimeout > 0 && timeout > 0 && o.StartToCloseTimeout <= timeout {
		return &pipeline.ConfigError{Pipeline: p.Name(), Stage: name,
			Field: "StartToCloseTimeout",
			Detail: fmt.Sprintf("%v, must be above the stage Timeout %v, such as %v",
				o.StartToCloseTimeout, timeout, timeout+StartToCloseGrace),
			Err: pipeline.ErrInvalidTimeout}
	}
	return nil
}
