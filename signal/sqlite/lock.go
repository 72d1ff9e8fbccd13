package sqlite

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrInUse is returned when another process owns the database.
var ErrInUse = errors.New("the database is in use by another signald process")

// Lock is the ownership of a database by one process: an exclusive flock
// on the file next to it (<db>.lock), held for the life of the process's
// DB. SQLite itself lets two processes write one file, taking turns; but a
// second writer has its own key cache and its own idea of what is erased,
// so one process owns the database: `serve`, or a command that changes
// data while serve is stopped. Read-only commands (audit verify, export,
// backup) take no lock. The kernel releases a flock when the process
// ends, however it ends, so a crash leaves no stale lock.
type Lock struct {
	f *os.File
}

// LockPath is the lock file of the database at path.
func LockPath(path string) string { return path + ".lock" }

// AcquireLock takes the ownership of the database at path for purpose
// (e.g. "serve", "retention run"), or fails at once with ErrInUse and a
// message that says who holds it and what to do.
func AcquireLock(path, purpose string) (*Lock, error) {
	f, err := os.OpenFile(LockPath(path), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(LockPath(path))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("%w: %s holds %s: stop it first, or make this change through the running service (the privacy console or the API); read-only commands (audit verify, audit export, backup) work beside it",
				ErrInUse, who, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Who holds it, for the message of the next one who tries.
	f.Truncate(0)
	fmt.Fprintf(f, "signald %s (pid %d, since %s)\n", purpose, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	return &Lock{f: f}, nil
}

// Release gives the database up. Releasing twice is harmless.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	f.Truncate(0)
	return f.Close() // closing the last descriptor releases the flock
}
