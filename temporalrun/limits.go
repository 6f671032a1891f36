package temporalrun

import (
	"fmt"
	"strconv"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// Limits of a Map, which runs as one workflow run. With its v1.29 defaults,
// the Temporal service rejects a new activity of a run that has 2,000
// pending, and terminates a run whose history passes 51,200 events. Both
// limits are server settings.
const (
	// DefaultMapConcurrency is the concurrency of a Map whose
	// [MapOptions.Concurrency] is zero.
	DefaultMapConcurrency = 10

	// DefaultMaxConcurrency is the Map concurrency cap when
	// [Options.MaxConcurrency] is zero. It keeps one Map to a fifth of the
	// 1,000 activities a Go SDK worker (v1.51) runs at once by default.
	DefaultMaxConcurrency = 200

	// MaxConcurrencyLimit is the highest [Options.MaxConcurrency]. A Map
	// keeps at most one activity pending per running item, so this stays
	// at half the service's 2,000 pending activities per run, leaving room
	// for activities whose cancellation is still pending.
	MaxConcurrencyLimit = 1000

	// MaxHistoryEvents is the largest projected history a Map may start
	// with, below the service's limit of 51,200 events so that retried
	// workflow tasks still fit.
	MaxHistoryEvents = 50_000

	// EventsPerActivity is the history events projected for one stage of
	// one item: the activity's scheduled, started and closing events, and
	// a workflow task (three events) to react to it. Retries add none,
	// because the service records only an activity's last attempt.
	EventsPerActivity = 6

	// mapBaseEvents counts the workflow's start, first workflow task and
	// closing event.
	mapBaseEvents = 5
	// cancelEvents counts the cancel request and cancellation events of one
	// running item, projected for every running item.
	cancelEvents = 2
)

// CheckMap returns the error [Pipeline.StartMap] would return for a Map of
// items at concurrency, or nil when the Map fits one workflow run. It
// starts nothing, so a CLI can reject bad input before dialing. Splitting a
// larger Map across child workflows, each within these limits, would lift
// them. Until then the caller splits the items into batches.
//
// NOTE: the service also limits a run's history to 50 MiB and each payload
// to 2 MiB (v1.29 defaults). Those sizes are not projected, because the
// stage outputs are unknown before the run.
func (p *Pipeline[In, Out, S]) CheckMap(items, concurrency int) error {
	if concurrency < 1 {
		return &pipeline.ConfigError{Pipeline: p.Name(), Field: "concurrency",
			Detail: strconv.Itoa(concurrency) + ", must be at least 1",
			Err:    pipeline.ErrInvalidConcurrency}
	}
	if concurrency > p.maxConcurrency {
		return &LimitError{Value: concurrency, Max: p.maxConcurrency,
			Fix: fmt.Sprintf("lower the concurrency, or raise Options.MaxConcurrency "+
				"(at most %d)", MaxConcurrencyLimit),
			Err: ErrConcurrencyTooHigh}
	}
	if events := p.projectedEvents(items, concurrency); events > MaxHistoryEvents {
		return &LimitError{Value: events, Max: MaxHistoryEvents,
			Fix: fmt.Sprintf("split the %d items into batches of at most %d",
				items, p.MaxMapItems(concurrency)),
			Err: ErrMapTooLarge}
	}
	return nil
}

// projectedEvents returns an upper estimate of the history events of a Map.
func (p *Pipeline[In, Out, S]) projectedEvents(items, concurrency int) int {
	return mapBaseEvents + cancelEvents*concurrency + items*len(p.stages)*EventsPerActivity
}

// MaxMapItems returns how many items one Map at the given concurrency may
// take before its projected history passes [MaxHistoryEvents]: the batch
// size to split larger inputs into. A concurrency of 0 means the
// concurrency that [Pipeline.StartMap] uses for a zero
// [MapOptions.Concurrency]. A negative concurrency returns 0, because no
// Map accepts it.
func (p *Pipeline[In, Out, S]) MaxMapItems(concurrency int) int {
	if concurrency < 0 {
		return 0
	}
	if concurrency == 0 {
		concurrency = min(DefaultMapConcurrency, p.maxConcurrency)
	}
	room := MaxHistoryEvents - mapBaseEvents - cancelEvents*concurrency
	return max(room, 0) / (len(p.stages) * EventsPerActivity)
}
