package worker

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
)

// otherInterceptor stands for an interceptor of the user's.
type otherInterceptor struct {
	interceptor.WorkerInterceptorBase
}

func TestWithInterceptor(t *testing.T) {
	t.Parallel()
	other := &otherInterceptor{}
	ours := Interceptor()
	tests := []struct {
		name    string
		given   []interceptor.WorkerInterceptor
		wantLen int
		wantAt  int // index of the pipeline interceptor
	}{
		{name: "appended to none", given: nil, wantLen: 1, wantAt: 0},
		{name: "appended after the user's", given: []interceptor.WorkerInterceptor{other},
			wantLen: 2, wantAt: 1},
		{name: "kept where the user put it",
			given: []interceptor.WorkerInterceptor{ours, other}, wantLen: 2, wantAt: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			given := append(make([]interceptor.WorkerInterceptor, 0, 4), tt.given...)
			got := withInterceptor(sdkworker.Options{Interceptors: given}, nil).Interceptors
			require.Len(t, got, tt.wantLen)
			require.True(t, isPipelineInterceptor(got[tt.wantAt]))
			spare := given[:cap(given)]
			require.Nil(t, spare[len(tt.given)], "caller's spare capacity untouched")
		})
	}
}
