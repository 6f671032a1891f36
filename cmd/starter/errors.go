package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/async-pipeline/async-pipeline-go/internal/catalog"
	"github.com/async-pipeline/async-pipeline-go/temporalrun"
)

// maxInputInMessage is how many bytes of an item's JSON input an error
// message shows.
const maxInputInMessage = 80

// jobError is a run or map in which at least one item failed.
type jobError struct {
	failed int
	total  int
	first  catalog.Result // the failed item with the lowest index
}

// concurrencyError is a -concurrency above the maximum. It matches
// temporalrun.ErrConcurrencyTooHigh but has its own message, because
// temporalrun advises raising Options.MaxConcurrency, which a user of the
// starter cannot set.
type concurrencyError struct {
	value int
	max   int
}

func (e *concurrencyError) Error() string {
	return fmt.Sprintf("-concurrency must be at most %d, got %d; lower -concurrency",
		e.max, e.value)
}

func (e *concurrencyError) Unwrap() error { return temporalrun.ErrConcurrencyTooHigh }

// newJobError returns a *jobError when any of results failed, else nil.
func newJobError(results []catalog.Result, total int) error {
	var e *jobError
	for _, r := range results {
		if r.Error == nil {
			continue
		}
		if e == nil {
			e = &jobError{total: total, first: r}
		}
		e.failed++
	}
	if e == nil {
		return nil
	}
	return e
}

func (e *jobError) Error() string {
	f := e.first.Error
	item := fmt.Sprintf("item %d (input %s) failed", e.first.Index, shorten(e.first.Input))
	if f.Stage != "" {
		item += fmt.Sprintf(" in stage %q after %d %s", f.Stage, f.Attempts,
			plural(f.Attempts, "attempt", "attempts"))
	}
	item += ": " + withoutLongInput(f.Message, e.first.Input)
	if e.total == 1 {
		return item
	}
	return fmt.Sprintf("%d of %d items failed, the first: %s", e.failed, e.total, item)
}

func (e *jobError) Unwrap() error { return e.first.Error }

// withoutLongInput returns message with each copy of a JSON string input
// too long for a message, such as a long file path, replaced by "the
// input", because the message already shows the shortened input once.
func withoutLongInput(message string, input json.RawMessage) string {
	var text string
	if len(input) <= maxInputInMessage || json.Unmarshal(input, &text) != nil || text == "" {
		return message
	}
	return strings.ReplaceAll(message, text, "the input")
}

func shorten(input []byte) string {
	if len(input) <= maxInputInMessage {
		return string(input)
	}
	return string(input[:maxInputInMessage]) + "..."
}

// exitStatus returns 2 for bad usage, bad input and an unreachable or
// misconfigured server, and 1 for every other error.
func exitStatus(err error) int {
	var usage *usageError
	var input *catalog.InputError
	var limit *temporalrun.LimitError
	switch {
	case errors.As(err, &usage), errors.As(err, &input), errors.As(err, &limit),
		errors.Is(err, catalog.ErrConnect), errors.Is(err, catalog.ErrClientConfig),
		errors.Is(err, catalog.ErrWorkflowMismatch), errors.Is(err, catalog.ErrInputMismatch):
		return 2
	}
	return 1
}
