package sqlite

import (
	"context"

	"github.com/signaal-nl/signaal/signal"
)

// Record appends audit events that come with no change (views, refusals,
// failed logins) by actor, in one unit.
func (db *DB) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	return db.doAudited(ctx, actor, events, func(context.Context, *Tx) error { return nil })
}

// doAudited runs fn in one unit of work and appends the audit entries of
// events by actor after it, in the same transaction: a change is stored
// with its audit or not at all. The entries are checked before the unit
// starts, so a bad one refuses the change without touching the database.
func (db *DB) doAudited(ctx context.Context, actor signal.Actor, events []signal.AuditEvent, fn func(ctx context.Context, tx *Tx) error) error {
	entries, err := auditEntries(actor, events)
	if err != nil {
		return err
	}
	return db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return appendAll(ctx, tx, entries)
	})
}
