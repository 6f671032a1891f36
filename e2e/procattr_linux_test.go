package e2e

import (
	"os/exec"
	"syscall"
)

// killWithTest makes Linux send SIGKILL to the process of cmd when the test
// binary exits, so that a worker or starter does not outlive a test binary
// that panicked or hit the -timeout of go test before its cleanup ran.
func killWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
