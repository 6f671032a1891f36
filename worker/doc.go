// Package worker serves pipelines made by package temporalrun on a Temporal
// worker: it registers their workflows and activities and installs the
// activity interceptor that runs each stage's hooks and middleware.
//
// # Usage
//
//	w, err := worker.New(c, "", sdkworker.Options{}, orders, invoices)
//	if err != nil {
//		return err
//	}
//	return w.Run(sdkworker.InterruptCh())
//
// [New] creates the worker for a task queue ([temporalrun.DefaultTaskQueue]
// for the empty name). To place the pipeline interceptor among interceptors
// of your own, list [Interceptor] in sdkworker.Options.Interceptors where
// it belongs: the interceptors before it wrap the stage middleware, the
// ones after it are wrapped by it. For example, put Temporal's
// OpenTelemetry tracing interceptor first so that stage spans become
// children of the activity spans:
//
//	tracing, err := opentelemetry.NewTracingInterceptor(opentelemetry.TracerOptions{})
//	...
//	opts := sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{
//		tracing, worker.Interceptor(orders, invoices),
//	}}
//	w, err := worker.New(c, "", opts, orders, invoices)
//
// [Register] does the registration alone, for a worker created elsewhere or
// a test workflow environment, and [RegisterWorkflows] registers only the
// workflows, for a workflow replayer.
package worker
