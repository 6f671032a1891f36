package worker

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
)

// otherInterceptor is an interceptor of the user's own.
type otherInterceptor struct {
	interceptor.WorkerInterceptorBase
}

func TestWithInterceptor(t *testing.T) {
	t.Parallel()
	other := &otherInterceptor{}
	ours := Interceptor()
	tests := []struct {
		name       string
		configured []interceptor.WorkerInterceptor
		wantLen    int
		wantAt     int // index of the pipeline interceptor
	}{
		{name: "appended to none", configured: nil, wantLen: 1, wantAt: 0},
		{name: "appended after the user's", configured: []interceptor.WorkerInterceptor{other},
			wantLen: 2, wantAt: 1},
		{name: "kept where the user put it",
			configured: []interceptor.WorkerInterceptor{ours, other}, wantLen: 2, wantAt: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			configured := append(make([]interceptor.WorkerInterceptor, 0, 4), tt.configured...)
			got := withInterceptor(sdkworker.Options{Interceptors: configured}, nil).Interceptors
			require.Len(t, got, tt.wantLen)
			require.True(t, isPipelineInterceptor(got[tt.wantAt]))
			spare := configured[:cap(configured)]
			require.Nil(t, spare[len(tt.configured)], "caller's spare capacity untouched")
		})
	}
}
