package sqlite

import (
	"context"

	"github.com/signaal-nl/signaal/signal"
)

// Record appends audit events that come with no change (views, refusals,
// failed logins) by actor, in one unit.
func (db *DB) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	entries, err := auditEntries(actor, events)
	if err != nil {
		return err
	}
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error { return appendAll(ctx, tx, entries) })
}
