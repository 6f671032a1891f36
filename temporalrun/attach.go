package temporalrun

import (
	"context"
	"encoding/json"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
)

// AttachRun returns a handle to a pipeline workflow of p started earlier,
// by its workflow ID and run ID (empty for the latest run). c must not be
// nil. When the run fails with no run state in its failure, Get returns the
// zero value of S, because the handle does not know the initial state.
func AttachRun[In, Out, S any](
	p *Pipeline[In, Out, S], c client.Client, workflowID, runID string,
) *RunHandle[Out, S] {
	return &RunHandle[Out, S]{run: c.GetWorkflow(context.Background(), workflowID, runID)}
}

// StartedInputs returns the inputs that a workflow of p started with, read
// from the first event of its history: one input for a pipeline workflow,
// and the items for a Map workflow. A workflow of another type is an error
// matching [ErrOtherWorkflow].
func (p *Pipeline[In, Out, S]) StartedInputs(
	ctx context.Context, c client.Client, workflowID, runID string,
) ([]In, error) {
	events := c.GetWorkflowHistory(ctx, workflowID, runID, false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !events.HasNext() {
		return nil, fmt.Errorf("temporalrun: read history of %q: no events", workflowID)
	}
	first, err := events.Next()
	if err != nil {
		return nil, fmt.Errorf("temporalrun: read history of %q: %w", workflowID, err)
	}
	started := first.GetWorkflowExecutionStartedEventAttributes()
	var raw []json.RawMessage
	switch name := started.GetWorkflowType().GetName(); name {
	case p.WorkflowName():
		var req runRequest
		err = converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &req)
		raw = []json.RawMessage{req.Input}
	case p.MapWorkflowName():
		var req mapRequest
		err = converter.GetDefaultDataConverter().FromPayloads(started.GetInput(), &req)
		raw = req.Items
	default:
		return nil, fmt.Errorf("%w: workflow %q is a %q, not a workflow of pipeline %q",
			ErrOtherWorkflow, workflowID, name, p.Name())
	}
	if err != nil {
		return nil, fmt.Errorf("temporalrun: decode input of %q: %w", workflowID, err)
	}
	return decodeInputs[In](raw)
}

func decodeInputs[In any](raw []json.RawMessage) ([]In, error) {
	inputs := make([]In, len(raw))
	for i, data := range raw {
		if err := decodeJSON(data, &inputs[i]); err != nil {
			return nil, fmt.Errorf("temporalrun: decode input %d: %w", i, err)
		}
	}
	return inputs, nil
}
