package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// progressInterval is how often the progress line is refreshed.
const progressInterval = 250 * time.Millisecond

// reporter waits for a job and reports it: the progress line and summary
// on stderr, the results as JSON Lines.
type reporter struct {
	flags   *jobFlags
	entry   *catalog.Entry
	job     catalog.Job
	where   server
	started time.Time
	stderr  io.Writer
}

// startedLine reports a workflow that the starter does not wait for.
func (r *reporter) startedLine() {
	verb := "started"
	if r.job.Attached() {
		verb = "found existing"
	}
	fmt.Fprintf(r.stderr, "%s %s: %s workflow %s%s\n", r.flags.subcommand, r.entry.Name(),
		verb, r.job.WorkflowID(), r.link())
}

// finish waits for the job, writes its results to out and prints the
// summary. It returns a *jobError when an item failed.
func (r *reporter) finish(ctx context.Context, out *resultsFile) error {
	if r.job.Attached() {
		fmt.Fprintf(r.stderr, "%s %s: workflow %s already exists; reporting it\n",
			r.flags.subcommand, r.entry.Name(), r.job.WorkflowID())
	}
	stopProgress := r.showProgress(ctx)
	stopHint := r.hintWithoutProgress(ctx)
	results, err := r.job.Wait(ctx)
	stopHint()
	stopProgress()
	if err != nil {
		return r.waitError(ctx, err)
	}
	if err := out.write(results); err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return err
	}
	r.summary(results)
	return newJobError(results, r.job.Total())
}

// waitError returns the error of a Wait that failed. An interrupted
// in-process job exits with status 1, as an interrupted wait on Temporal does.
func (r *reporter) waitError(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil && r.job.WorkflowID() != "":
		return fmt.Errorf("interrupted; workflow %s keeps running, "+
			"and -workflow-id %s reports it later", r.job.WorkflowID(), r.job.WorkflowID())
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted; the in-process %s stopped without results",
			r.flags.subcommand)
	}
	return fmt.Errorf("wait for the %s: %w", r.flags.subcommand, err)
}

// summary prints one line: items, failures, duration and where it ran.
func (r *reporter) summary(results []catalog.Result) {
	failed := 0
	for _, res := range results {
		if res.Error != nil {
			failed++
		}
	}
	var b strings.Builder
	total := r.job.Total()
	fmt.Fprintf(&b, "%s %s: %d %s, %d failed", r.flags.subcommand, r.entry.Name(),
		total, plural(total, "item", "items"), failed)
	if missing := total - len(results); missing > 0 {
		fmt.Fprintf(&b, ", %d without a result", missing)
	}
	fmt.Fprintf(&b, ", %v", roundDuration(time.Since(r.started)))
	switch {
	case r.job.WorkflowID() == "" && r.flags.local:
		b.WriteString(", in-process")
	case r.job.WorkflowID() == "":
		b.WriteString(", no workflow started")
	default:
		fmt.Fprintf(&b, ", workflow %s%s", r.job.WorkflowID(), r.link())
	}
	fmt.Fprintln(r.stderr, b.String())
}

// link returns ", " and the Web UI page of the workflow, or "".
func (r *reporter) link() string {
	url := catalog.WorkflowURL(r.where.webUI, r.where.namespace, r.job.WorkflowID(),
		r.job.RunID())
	if url == "" {
		return ""
	}
	return ", " + url
}

// noProgressHintDelay is how long a job on Temporal may run without its
// first item done, or for a single run without finishing, before the starter
// prints a hint that no worker may be polling the task queue. It is a
// variable so that tests can shorten it.
var noProgressHintDelay = 10 * time.Second

// hintWithoutProgress prints the no-worker hint once on stderr when a job on
// Temporal shows no progress after noProgressHintDelay. The returned
// function stops the check and waits for it, so that it prints nothing
// after Wait returns.
func (r *reporter) hintWithoutProgress(ctx context.Context) (stop func()) {
	if r.job.WorkflowID() == "" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		timer := time.NewTimer(noProgressHintDelay)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if r.madeProgress(ctx) || ctx.Err() != nil {
			return
		}
		prefix := ""
		if r.flags.subcommand == "map" && isTerminal(r.stderr) {
			prefix = "\r\x1b[K" // clears the progress line
		}
		queue := r.flags.taskQueue
		fmt.Fprintf(r.stderr, "%s%s %s: no progress after %v; no worker may be polling "+
			"task queue %s (start one with bin/worker -task-queue %s)\n", prefix,
			r.flags.subcommand, r.entry.Name(), noProgressHintDelay, queue, queue)
	}()
	return func() {
		cancel()
		<-done
	}
}

// madeProgress reports whether a Map has finished an item. A single run
// has no progress short of finishing, and a Map whose progress query fails,
// as it does while no worker polls, counts as none.
func (r *reporter) madeProgress(ctx context.Context) bool {
	if r.flags.subcommand != "map" {
		return false
	}
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	p, err := r.job.Progress(qctx)
	return err == nil && p.Done > 0
}

// showProgress refreshes a progress line in place on stderr while a map
// runs, when stderr is a terminal. The returned function stops it and
// clears the line.
func (r *reporter) showProgress(ctx context.Context) (stop func()) {
	if r.flags.subcommand != "map" || !isTerminal(r.stderr) {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(progressInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				r.printProgress(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		fmt.Fprint(r.stderr, "\r\x1b[K")
	}
}

func (r *reporter) printProgress(ctx context.Context) {
	qctx, cancel := context.WithTimeout(ctx, 2*progressInterval)
	defer cancel()
	p, err := r.job.Progress(qctx)
	if err != nil {
		return // the next tick tries again; the job's own error is reported by Wait
	}
	elapsed := time.Since(r.started).Seconds()
	fmt.Fprintf(r.stderr, "\r\x1b[K%d/%d items, %.1f items/s, %d failed",
		p.Done, p.Total, float64(p.Done)/max(elapsed, 0.001), p.Failed)
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// roundDuration rounds d to milliseconds, or to microseconds below 10 ms.
func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

func plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return singular
	}
	return pluralForm
}
