//go:build !unix

package memstore_test

import "time"

var started = time.Now()

// cpuTime is wall time where getrusage is not available.
func cpuTime() time.Duration { return time.Since(started) }
