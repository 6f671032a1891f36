package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
)

// listPipelines prints the name, input type and description of every
// built-in pipeline.
func listPipelines(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: starter list\n\n"+
			"Lists the built-in pipelines: name, JSON input type and description.\n"+
			"It takes no flags or arguments.\n")
	}
	if err := fs.Parse(args); err != nil {
		return &usageError{err: err, printed: true}
	}
	if fs.NArg() > 0 {
		return usagef("list takes no arguments, got %q", fs.Arg(0))
	}
	cat, err := catalog.Builtin()
	if err != nil {
		return fmt.Errorf("load the built-in pipelines: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PIPELINE\tINPUT\tDESCRIPTION")
	for _, e := range cat.Entries() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name(), e.InputType(), e.Description())
	}
	return tw.Flush()
}
