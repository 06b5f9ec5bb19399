//go:build !linux

package tui

import "time"

// threadCPU is the calling thread's CPU time where the system says it;
// here it does not (0).
func threadCPU() time.Duration { return 0 }
