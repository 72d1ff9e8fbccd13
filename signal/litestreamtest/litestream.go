// Package litestreamtest runs the real Litestream binary beside a test's
// database: replication to a file replica, and restores from it. Tests and
// benchmarks use it to show what Litestream does to Signaal, not a model
// of it.
package litestreamtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Binary finds the real Litestream binary: $SIGNAAL_LITESTREAM, else
// `litestream` on the PATH (.ci/run installs v0.3.13 from npm when it is
// missing). Without it tb skips, except under CI=true, where a skipped
// check would pass for a tested one.
func Binary(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv("SIGNAAL_LITESTREAM")
	if bin == "" {
		bin, _ = exec.LookPath("litestream")
	}
	switch {
	case bin != "":
	case os.Getenv("CI") == "true":
		tb.Fatal("litestream is not installed (CI=true): .ci/run installs it; or set SIGNAAL_LITESTREAM")
	default:
		tb.Skip("litestream is not installed; .ci/run installs it (or set SIGNAAL_LITESTREAM to a binary)")
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		tb.Fatalf("%s version: %v %s", bin, err, out)
	}
	tb.Logf("litestream %s", bytes.TrimSpace(out))
	return bin
}

// Config is the configuration the README shows, with a file replica.
func Config(db, replica string) string {
	return fmt.Sprintf(`dbs:
  - path: %s
    replicas:
      - type: file
        path: %s
        sync-interval: 200ms
        retention: 1h
`, db, replica)
}

// Replication is a running `litestream replicate`.
type Replication struct {
	bin, cfg, db string
	replica      string
	cmd          *exec.Cmd
	out          lockedBuffer
	done         chan error
	stopOnce     sync.Once
}

// Replicate starts `litestream replicate` for db to a file replica in dir
// (which also holds the configuration); Cleanup stops it.
func Replicate(tb testing.TB, bin, db, dir string) *Replication {
	tb.Helper()
	cfg := filepath.Join(dir, "litestream.yml")
	if err := os.WriteFile(cfg, []byte(Config(db, filepath.Join(dir, "replica"))), 0o600); err != nil {
		tb.Fatal(err)
	}
	r := &Replication{bin: bin, cfg: cfg, db: db, replica: filepath.Join(dir, "replica"), done: make(chan error, 1)}
	r.cmd = exec.Command(bin, "replicate", "-config", cfg)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	tb.Cleanup(func() {
		r.Stop()
		if tb.Failed() {
			tb.Logf("litestream's output:\n%s", r.out.String())
		}
	})
	return r
}

// Stop ends replication (SIGINT, then SIGKILL after 10 s).
func (r *Replication) Stop() {
	r.stopOnce.Do(func() {
		r.cmd.Process.Signal(os.Interrupt)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			r.cmd.Process.Kill()
			<-r.done
		}
	})
}

// Restore restores the replica's newest state to out with the real binary
// (out and its -wal and -shm are removed first).
func (r *Replication) Restore(out string) error {
	for _, p := range []string{out, out + "-wal", out + "-shm"} {
		os.Remove(p)
	}
	if b, err := exec.Command(r.bin, "restore", "-config", r.cfg, "-o", out, r.db).CombinedOutput(); err != nil {
		return fmt.Errorf("litestream restore: %v\n%s", err, b)
	}
	return nil
}

// WaitSnapshot waits until the replica holds its first snapshot (from
// then on it can be restored), at most timeout.
func (r *Replication) WaitSnapshot(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if m, _ := filepath.Glob(filepath.Join(r.replica, "generations", "*", "snapshots", "*")); len(m) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no snapshot in the replica after %v; litestream's output:\n%s", timeout, r.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
