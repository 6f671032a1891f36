package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// floatState holds a float, which JSON cannot encode when it is NaN.
type floatState struct {
	F    float64
	Tags map[string]int
}

var errDecode = errors.New("decode rejected")

// undecodable encodes as a JSON object but never decodes.
type undecodable map[string]int

func (u *undecodable) UnmarshalJSON([]byte) error { return errDecode }

type undecodableState struct{ U undecodable }

// unencodable fails to encode even its zero value.
type unencodable struct{}

func (unencodable) MarshalJSON() ([]byte, error) { return nil, errors.New("never encodes") }

func TestNewRejectsStateFailingToEncode(t *testing.T) {
	t.Parallel()
	err := newWithState[struct{ V unencodable }]()
	require.ErrorIs(t, err, pipeline.ErrStateNotSerializable)
}

func TestMapReportsStateEncodeFailure(t *testing.T) {
	t.Parallel()
	p, err := pipeline.New[int, int]("float", pipeline.Options[floatState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	require.NoError(t, err)
	state := &floatState{F: math.NaN()}

	_, err = p.Map(t.Context(), []int{1}, 1, state)
	var unsupported *json.UnsupportedValueError
	require.ErrorAs(t, err, &unsupported)

	_, err = p.MapSettled(t.Context(), []int{1}, 1, state)
	require.ErrorAs(t, err, &unsupported)
}

func TestMapReportsStateDecodeFailure(t *testing.T) {
	t.Parallel()
	p, err := pipeline.New[int, int]("undecodable", pipeline.Options[undecodableState]{},
		pipeline.NewStage("add-one", addOne, pipeline.StageOptions{}))
	require.NoError(t, err)

	_, err = p.Map(t.Context(), []int{1, 2}, 1, nil)
	var me *pipeline.MapError
	require.ErrorAs(t, err, &me)
	require.Len(t, me.Items, 1, "the first failure stops the Map")
	assert.ErrorIs(t, err, errDecode)

	results, err := p.MapSettled(t.Context(), []int{1, 2}, 2, nil)
	require.NoError(t, err)
	for i, r := range results {
		assert.ErrorIs(t, r.Err, errDecode, "item %d", i)
	}
}

func TestTimeoutReportsStateCopyFailure(t *testing.T) {
	t.Parallel()
	calls := 0
	p, err := pipeline.New[int, int]("float", pipeline.Options[floatState]{},
		pipeline.NewStage("counted", func(_ context.Context, v int) (int, error) {
			calls++
			return v, nil
		}, pipeline.StageOptions{Timeout: time.Minute,
			Retry: pipeline.RetryPolicy{Retries: 3}}))
	require.NoError(t, err)

	_, err = p.Run(t.Context(), 1, &floatState{F: math.Inf(1)})
	require.ErrorIs(t, err, pipeline.ErrPermanent, "a state that cannot be copied is not retried")
	var unsupported *json.UnsupportedValueError
	require.ErrorAs(t, err, &unsupported)
	assert.Equal(t, "counted", stageErrorOf(t, err).Stage)
	assert.Zero(t, calls)
}
