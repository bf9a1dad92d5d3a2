//go:build unix

package memstore_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time (user and system): a collection's cost
// that a loaded machine does not inflate, as it does wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
