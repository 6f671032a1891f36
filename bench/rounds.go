package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// measure runs warmup unmeasured rounds, then rounds measured ones, and
// returns the measurements. Each round runs both workflows back to back, one
// after the other. The workflow that goes first alternates from round to
// round, so that neither one always follows the other.
func (r *runner) measure(
	ctx context.Context, warmup, rounds int, logger *slog.Logger,
) (summary, error) {
	s := summary{items: len(r.paths), concurrency: r.concurrency, rounds: rounds}
	for i := range warmup + rounds {
		label := fmt.Sprintf("round-%d", i-warmup+1)
		if i < warmup {
			label = fmt.Sprintf("warmup-%d", i+1)
		}
		ours, handWritten, err := r.runRound(ctx, i%2 == 1, label, logger)
		if err != nil {
			return summary{}, fmt.Errorf("%s: %w", label, err)
		}
		if i >= warmup {
			s.ours.add(ours)
			s.handWritten.add(handWritten)
		}
	}
	return s, nil
}

// measuredRun is one finished workflow run and the summary of its history.
type measuredRun struct {
	outcome runOutcome
	history historySummary
}

// runRound runs both workflows once, the hand-written one first when
// handWrittenFirst is set. It fails when they return different records or
// schedule the activities of a stage with different settings.
func (r *runner) runRound(
	ctx context.Context, handWrittenFirst bool, label string, logger *slog.Logger,
) (ours, handWritten measuredRun, err error) {
	steps := []func() error{
		func() (err error) {
			ours.outcome, err = r.runOurs(ctx, "bench-ours-"+r.tag+"-"+label)
			return err
		},
		func() (err error) {
			handWritten.outcome, err = r.runHandWritten(ctx,
				"bench-handwritten-"+r.tag+"-"+label)
			return err
		},
	}
	if handWrittenFirst {
		slices.Reverse(steps)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return ours, handWritten, err
		}
	}

	err = compareResults(r.paths, ours.outcome.results, handWritten.outcome.results)
	if err != nil {
		return ours, handWritten, err
	}
	return r.checkHistories(ctx, ours, handWritten, label, logger)
}

// checkHistories reads the histories of both runs, logs the round and
// fails when the activity settings differ.
func (r *runner) checkHistories(
	ctx context.Context, ours, handWritten measuredRun, label string, logger *slog.Logger,
) (measuredRun, measuredRun, error) {
	var err error
	ours.history, err = readHistory(ctx, r.client, ours.outcome.workflowID,
		ours.outcome.runID, r.ours.ActivityName(""))
	if err != nil {
		return ours, handWritten, err
	}
	handWritten.history, err = readHistory(ctx, r.client, handWritten.outcome.workflowID,
		handWritten.outcome.runID, handWrittenActivityName)
	if err != nil {
		return ours, handWritten, err
	}

	for _, run := range []struct {
		name string
		measuredRun
	}{{oursName, ours}, {handWrittenName, handWritten}} {
		logger.Info("workflow finished", "round", label, "workflow", run.name,
			"workflow_id", run.outcome.workflowID, "wall_time", run.outcome.wall,
			"history_events", run.history.Events)
	}
	return ours, handWritten, compareSettings(ours.history.Settings, handWritten.history.Settings)
}
