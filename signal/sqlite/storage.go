package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
)

// DefaultMinFree is the free space below which CheckStorage says the
// database cannot write: room for the WAL to grow to its checkpoint limit
// (64 MiB, see checkpointerPragmas) and a little more.
const DefaultMinFree = 96 << 20

// CheckStorage returns a readiness check: whether the file system holding
// the database has at least minFree bytes free for unprivileged writers.
// SQLite fails a commit on a full disk (SQLITE_FULL), and the writer's
// probe (CheckWriter) commits nothing, so only the free space tells in
// advance that the next signals cannot be stored.
func (db *DB) CheckStorage(minFree uint64) func(context.Context) error {
	return func(context.Context) error {
		var st syscall.Statfs_t
		dir := filepath.Dir(db.path)
		if err := syscall.Statfs(dir, &st); err != nil {
			return fmt.Errorf("free space of %s: %w", dir, err)
		}
		free := st.Bavail * uint64(st.Bsize)
		if free < minFree {
			return fmt.Errorf("%s has %d MiB free, below the %d MiB the database needs to go on writing: free space or grow the volume",
				dir, free>>20, minFree>>20)
		}
		return nil
	}
}
