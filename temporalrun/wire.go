package temporalrun

import "encoding/json"

// The types in this file are what the client, the workflows and the
// activities send each other. Values and run states stay JSON text
// (json.RawMessage) along the way, because every stage has its own types and
// workflow code never decodes them.

// runRequest is the input of a pipeline workflow and of a stage activity:
// the value going into the first stage (or this stage) and the run state.
type runRequest struct {
	Input json.RawMessage `json:"input"`
	State json.RawMessage `json:"state,omitempty"`
}

// runResult is the output of a pipeline workflow and of a stage activity.
type runResult struct {
	Output json.RawMessage `json:"output"`
	State  json.RawMessage `json:"state,omitempty"`
}

// mapRequest is the input of a Map workflow.
type mapRequest struct {
	Items       []json.RawMessage `json:"items"`
	State       json.RawMessage   `json:"state,omitempty"`
	Concurrency int               `json:"concurrency"`
	Settled     bool              `json:"settled,omitempty"`
}

// mapResult is the output of a Map workflow: one outcome per item, in input
// order, and whether the Map was settled.
type mapResult struct {
	Settled bool          `json:"settled,omitempty"`
	Items   []itemOutcome `json:"items"`
}

// itemOutcome is one item of a Map: its output and final run state, or its
// failure.
type itemOutcome struct {
	Output  json.RawMessage `json:"output,omitempty"`
	State   json.RawMessage `json:"state,omitempty"`
	Failure *stageFailure   `json:"failure,omitempty"`
}

// stageFailure describes a failed stage: the details of an activity's
// application error, and of a failed or cancelled pipeline workflow. Stage
// is empty for a Map item cancelled before it started.
type stageFailure struct {
	Stage    string          `json:"stage"`
	Attempts int             `json:"attempts"`
	Error    RemoteError     `json:"error"`
	State    json.RawMessage `json:"state,omitempty"`
}

// workflowFailure is the details of a failed or cancelled workflow: the
// failed stage of a pipeline workflow, or the items of a Map workflow.
type workflowFailure struct {
	Stage *stageFailure `json:"stage,omitempty"`
	Map   *mapResult    `json:"map,omitempty"`
}

// heartbeatDetails are the details of an activity's heartbeats: the run
// state that the next attempt starts from.
type heartbeatDetails struct {
	State json.RawMessage `json:"state,omitempty"`
}
