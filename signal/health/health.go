// Package health holds what the running application reports about itself:
// its readiness checks and the audit writer's counters. The wiring
// (signal/app), which knows the parts, provides them; the web layer, which
// serves /readyz and /metrics, reads them. Neither imports the other, so
// the types live here, with nothing but the standard library.
package health

import (
	"context"
	"time"
)

// Check is one readiness check: nil when the part is ready.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
	// Advisory checks report "degraded" when they fail but do not make the
	// service unready: outgoing mail that cannot be sent stays queued, and
	// taking the service out of a load balancer would not help it.
	Advisory bool
	// Detail, if set, is shown under "detail" by its name: figures only,
	// never addresses or texts (anyone may read /readyz).
	Detail func(ctx context.Context) map[string]any
}

// WriterStats are the group-commit writer's counters since it started.
type WriterStats struct {
	Batches, Units, Syncs int64
	Busy, Syncing         time.Duration
}
