package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// defaultConcurrency is the number of items of a map that run at once
// unless -concurrency sets another number.
const defaultConcurrency = 4

// maxConcurrency is the highest -concurrency, with or without -local. It is
// the Temporal cap of the built-in pipelines, which keep the default
// temporalrun.Options.MaxConcurrency. The -local limit is the same, so that
// a command line that works in-process also works on Temporal.
const maxConcurrency = temporalrun.DefaultMaxConcurrency

// jobFlags are the settings of a run or map subcommand.
type jobFlags struct {
	subcommand     string // "run" or "map"
	pipeline       string
	out            string
	wait           bool
	noWait         bool
	workflowID     string
	local          bool
	taskQueue      string
	connectTimeout time.Duration
	webUI          string
	value          string // run: the JSON argument
	hasValue       bool   // run: a JSON argument was given, even an empty one

	items       string // map: JSON Lines file, "-" for stdin
	dir         string // map: directory whose files are the items
	concurrency int
	failFast    bool
}

// newFlagSet returns the flag set of a run or map subcommand bound to f.
func newFlagSet(f *jobFlags, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(f.subcommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.pipeline, "pipeline", "fileinfo",
		"name of the built-in `pipeline` to run (see \"starter list\")")
	fs.StringVar(&f.out, "out", "", "write the JSON Lines results to `file` instead of stdout")
	fs.BoolVar(&f.wait, "wait", true, "wait for the workflow and write its results")
	fs.BoolVar(&f.noWait, "no-wait", false, "print the workflow ID and exit without waiting")
	fs.StringVar(&f.workflowID, "workflow-id", "",
		"workflow `ID`; a second start with the same ID reports the existing workflow")
	fs.BoolVar(&f.local, "local", false, "run in this process, without a Temporal server")
	fs.StringVar(&f.taskQueue, "task-queue", temporalrun.DefaultTaskQueue,
		"Temporal task `queue` that the workers poll")
	fs.DurationVar(&f.connectTimeout, "connect-timeout", catalog.DefaultConnectTimeout,
		"maximum `duration` to wait for the Temporal server to respond")
	fs.StringVar(&f.webUI, "web-ui", "",
		"Temporal Web UI `URL` for the summary (default: the dev server's, gRPC port + 1000)")
	if f.subcommand == "map" {
		fs.StringVar(&f.items, "items", "",
			"JSON Lines `file` with one input per line (\"-\" for stdin)")
		fs.StringVar(&f.dir, "dir", "",
			"use every regular file under `directory`, in sorted order (fileinfo only)")
		fs.IntVar(&f.concurrency, "concurrency", defaultConcurrency,
			fmt.Sprintf("maximum `number` of items that run at once, from 1 to %d "+
				"with or without -local", maxConcurrency))
		fs.BoolVar(&f.failFast, "fail-fast", false,
			"stop after the first failed item (default: run every item)")
	}
	fs.Usage = func() { printFlagUsage(fs) }
	return fs
}

func printFlagUsage(fs *flag.FlagSet) {
	out := fs.Output()
	if fs.Name() == "run" {
		fmt.Fprint(out, "Usage: starter run [flags] [JSON]\n\n"+
			"Runs a pipeline on one input, given as a JSON argument or on stdin.\n\n")
	} else {
		fmt.Fprint(out, "Usage: starter map [flags] -items FILE | -dir DIR\n\n"+
			"Runs a pipeline on many inputs and writes one JSON line per item.\n\n")
	}
	fs.PrintDefaults()
}

// parseJobFlags parses args into the flags of subcommand and checks how
// they combine.
func parseJobFlags(subcommand string, args []string, stderr io.Writer) (*jobFlags, error) {
	f := &jobFlags{subcommand: subcommand}
	fs := newFlagSet(f, stderr)
	if err := fs.Parse(args); err != nil {
		return nil, &usageError{err: err, printed: true}
	}
	if err := f.setPositional(fs.Args()); err != nil {
		return nil, err
	}
	explicit := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { explicit[fl.Name] = true })
	if explicit["wait"] && f.wait && f.noWait {
		return nil, usagef("-wait and -no-wait exclude each other")
	}
	if f.noWait {
		f.wait = false
	}
	if err := f.checkExplicit(explicit); err != nil {
		return nil, err
	}
	return f, f.check()
}

// checkExplicit rejects an empty -workflow-id or -task-queue that explicit
// marks as set, because either would otherwise fall back to its default
// silently. It also validates and normalizes a set -web-ui.
func (f *jobFlags) checkExplicit(explicit map[string]bool) error {
	switch {
	case explicit["workflow-id"] && f.workflowID == "":
		return usagef("-workflow-id is empty; give a workflow ID or drop the flag")
	case explicit["task-queue"] && f.taskQueue == "":
		return usagef("-task-queue is empty; give a task queue or drop the flag "+
			"to use %q", temporalrun.DefaultTaskQueue)
	case !explicit["web-ui"]:
		return nil
	}
	webUI, err := checkWebUI(f.webUI)
	if err != nil {
		return err
	}
	f.webUI = webUI
	return nil
}

// checkWebUI validates the -web-ui rawURL and returns it without trailing
// slashes, because the summary appends "/namespaces/...". It rejects a URL
// that is not http or https, has no host, or has a query or fragment, which
// the appended path would end up behind.
func checkWebUI(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", usagef("invalid -web-ui %q: give an http or https URL with a host, "+
			"such as http://localhost:8233", rawURL)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", usagef("invalid -web-ui %q: drop the query and fragment, "+
			"because the summary appends the workflow's path", rawURL)
	}
	return strings.TrimRight(rawURL, "/"), nil
}

func (f *jobFlags) setPositional(args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case f.subcommand == "map":
		return usagef("map takes no arguments, got %q; give the inputs with -items or -dir",
			args[0])
	case len(args) > 1:
		return usagef("run takes one JSON argument, got %d; quote the JSON value", len(args))
	}
	f.value = args[0]
	f.hasValue = true
	return nil
}

func (f *jobFlags) check() error {
	switch {
	case f.local && !f.wait:
		return usagef("-no-wait needs a Temporal server; drop -local or -no-wait")
	case f.local && f.workflowID != "":
		return usagef("-workflow-id needs a Temporal server; drop -local or -workflow-id")
	case !f.wait && f.out != "":
		return usagef("-out has no effect with -no-wait")
	case f.connectTimeout <= 0:
		return usagef("-connect-timeout must be positive, got %v", f.connectTimeout)
	case f.subcommand != "map":
		return nil
	case f.items == "" && f.dir == "":
		return usagef("map needs its inputs: -items FILE or -dir DIR")
	case f.items != "" && f.dir != "":
		return usagef("-items and -dir exclude each other")
	case f.concurrency < 1:
		return usagef("-concurrency must be at least 1, got %d", f.concurrency)
	case f.concurrency > maxConcurrency:
		return &usageError{err: &concurrencyError{value: f.concurrency, max: maxConcurrency}}
	}
	return nil
}
