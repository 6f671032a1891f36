package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// namespace is the Temporal namespace that the commands use when neither
// TEMPORAL_NAMESPACE nor a profile names another.
const namespace = "default"

// serverCallTimeout bounds one call from a test to the Temporal server.
const serverCallTimeout = 10 * time.Second

// dialServer returns a Temporal client for address that the test closes
// when it ends.
func dialServer(t *testing.T, address string) client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), serverCallTimeout)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  address,
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	require.NoError(t, err, "dial the Temporal server at %s", address)
	t.Cleanup(c.Close)
	return c
}

// countWorkflows returns how many workflows of any status the server's
// visibility store lists on taskQueue. The store is updated shortly after
// a workflow starts, not at once.
func countWorkflows(ctx context.Context, c client.Client, taskQueue string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, serverCallTimeout)
	defer cancel()
	resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: namespace,
		Query:     fmt.Sprintf("TaskQueue = %q", taskQueue),
	})
	if err != nil {
		return 0, fmt.Errorf("count workflows on task queue %s: %w", taskQueue, err)
	}
	return resp.GetCount(), nil
}

// requireNoWorkflow requires that no workflow, running or closed, has
// workflowID.
func requireNoWorkflow(t *testing.T, c client.Client, workflowID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), serverCallTimeout)
	defer cancel()
	_, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	var notFound *serviceerror.NotFound
	require.True(t, errors.As(err, &notFound),
		"describe workflow %s: want a not-found error, got %v", workflowID, err)
}
