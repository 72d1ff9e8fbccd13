package sqlite

import "context"

// sealInPlace runs one UPDATE that replaces a text kept in the clear by its
// sealed form (the start-up sealing of rows written by an older version)
// and says whether it changed exactly one row: false when the row changed
// meanwhile. After a change the WAL's page images of the text in the clear
// go at the checkpointer's next tick, as after an erasure.
func (db *DB) sealInPlace(ctx context.Context, query string, args ...any) (bool, error) {
	var ok bool
	err := db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	if ok {
		db.truncatePending.Store(true)
	}
	return ok, err
}
