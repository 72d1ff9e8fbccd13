package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// gcPercent is the garbage collector's target (GOGC) that signald serve
// runs the server with, unless GOGC is set. The server's live heap is small
// (the policy, the caches, the requests in flight: tens of MB), so at Go's
// default of 100 it collected many times a second under load; at 400 the
// heap may grow to five times the live data, and the load benchmark, which
// runs with it too, measured 10-25% more submissions per second.
const gcPercent = 400

// procsPerCPU is how many Go processors (GOMAXPROCS) signald serve runs
// per CPU it may use, unless GOMAXPROCS is set. A goroutine in a cgo call
// (the writer runs every SQLite statement through one) or in a blocking
// system call (an fsync) keeps its processor until the runtime takes it
// back, and with one processor per CPU the requests' goroutines waited
// meanwhile: the load benchmark found a fifth of the CPUs idle at
// saturation. Two processors per CPU, with the writer's overlapped fsync
// (sqlite.WriterOptions.Sync), measured 6-8% more submissions per second;
// either alone, a few percent.
const procsPerCPU = 2

// startProcs is the processors Go chose at start (the CPUs this process
// may use), before tuneRuntime changed it.
var startProcs = runtime.GOMAXPROCS(0)

// tuneRuntime sets the garbage collector's target and the processors per
// CPU for serve, unless GOGC or GOMAXPROCS say otherwise. It sets them from
// what Go chose at start, so calling it again (serve started many times in
// one test process) changes nothing: multiplying the current value instead
// doubled it at every start, until the runtime ran out of threads.
func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(procsPerCPU * startProcs)
	}
}
