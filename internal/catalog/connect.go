package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

// DefaultConnectTimeout bounds [Connect] when its timeout is zero.
const DefaultConnectTimeout = 5 * time.Second

// ClientOptions loads the Temporal client options the way the Temporal CLI
// does: the default profile of the config file (or TEMPORAL_PROFILE), then
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the other TEMPORAL_* variables.
// An empty address becomes [client.DefaultHostPort]. The SDK's own logs go
// to logger. An invalid configuration matches [ErrClientConfig].
func ClientOptions(logger *slog.Logger) (client.Options, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return client.Options{}, fmt.Errorf("%w: %w", ErrClientConfig, err)
	}
	if opts.HostPort == "" {
		opts.HostPort = client.DefaultHostPort
	}
	if opts.Namespace == "" {
		opts.Namespace = client.DefaultNamespace
	}
	opts.Logger = sdklog.NewStructuredLogger(logger)
	return opts, nil
}

// Connect dials the Temporal server and checks that it responds, waiting at
// most timeout ([DefaultConnectTimeout] when zero). A failure is a
// [*ConnectError] matching [ErrConnect].
func Connect(ctx context.Context, opts client.Options, timeout time.Duration) (client.Client, error) {
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := client.DialContext(dctx, opts)
	if err != nil {
		return nil, &ConnectError{Address: opts.HostPort, Err: err}
	}
	return c, nil
}

// WebUIAddress returns the address of the Web UI of a development server
// whose gRPC frontend is hostPort: the same host, the gRPC port plus 1000,
// which is the default of `temporal server start-dev`. It returns "" when
// hostPort has no numeric port.
func WebUIAddress(hostPort string) string {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return ""
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(n+1000))}
	return u.String()
}

// WorkflowURL returns the Web UI page of a workflow run under webUI, or ""
// when webUI is empty.
func WorkflowURL(webUI, namespace, workflowID, runID string) string {
	if webUI == "" {
		return ""
	}
	return webUI + "/namespaces/" + url.PathEscape(namespace) + "/workflows/" +
		url.PathEscape(workflowID) + "/" + url.PathEscape(runID)
}
