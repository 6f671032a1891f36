// Package e2e tests the worker and starter commands the way a user runs
// them: built as binaries, started as processes, and connected to a real
// Temporal server. It contains no code besides its tests.
//
// # Running
//
// The tests that need a server read its address from TEMPORAL_ADDRESS and
// are skipped when it is unset. `make test` starts a dev server and sets
// the variable. To run only this package:
//
//	scripts/temporal-server.sh run go test -race -count=1 ./e2e/
//
// TestMain builds cmd/worker and cmd/starter once into a temporary
// directory, with -race when the tests are built with it. Each test uses a
// task queue of its own, so tests that run in parallel never share a
// worker, and neither do workflows left over from earlier runs on a server
// that keeps its state.
//
// # What the tests check
//
//   - A map over a directory tree returns one result per regular file, in
//     sorted path order, each with the digest that sha256sum computes.
//   - A map survives a worker killed with SIGKILL while its activities run.
//     A second worker finishes every item exactly once, and the workflow
//     history shows an activity attempt that was retried after the kill.
//   - Bad input exits with status 2 and a one-line message, and starts no
//     workflow. So does a server that cannot be reached.
//   - A single run on Temporal writes the same bytes as the same run with
//     -local.
package e2e
