package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

var retentionCommand = command{
	name:    "retention",
	summary: "erase expired signals now (retention run [--dry-run]), for cron",
	run:     retentionCmd,
}

func retentionCmd(ctx context.Context, args []string, std stdio) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(std.err, "Usage: signald retention run [--db FILE] [--keys DIR] [--retention 2y] [--dry-run]")
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return nil
		}
		return usageError("unknown retention subcommand %q (want run)", args[0])
	}
	fset := flag.NewFlagSet("retention run", flag.ContinueOnError)
	fset.SetOutput(std.err)
	var (
		dbPath, keys, period string
		dryRun               bool
	)
	fset.StringVar(&dbPath, "db", envOr("SIGNAAL_DB", filepath.Join("data", "signaal.db")), "SQLite database `file` (SIGNAAL_DB)")
	fset.StringVar(&keys, "keys", os.Getenv("SIGNAAL_KEYS"), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	fset.StringVar(&period, "retention", envOr("SIGNAAL_RETENTION", signal.DefaultRetention.String()), "how long a signal stays after its observation, e.g. 2y, 18m, 730d (SIGNAAL_RETENTION)")
	fset.BoolVar(&dryRun, "dry-run", false, "list what has expired without erasing it")
	fset.Usage = func() {
		fmt.Fprintln(std.err, "Usage: signald retention run [flags]\n\nErases the content of every signal that has expired: the retention period has\npassed since it was observed, or the young person has turned 23. Each erasure is\naudited (signal.erase); the metadata and the audit chain stay.\n\nFlags:")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("%v", err)
	}
	if fset.NArg() > 0 {
		return usageError("unexpected argument %q", fset.Arg(0))
	}
	p, err := signal.ParsePeriod(period)
	if err != nil {
		return usageError("--retention: %v", err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		return usageError("--db %q: %v", dbPath, errors.Unwrap(err))
	}
	if keys == "" {
		keys = filepath.Join(filepath.Dir(dbPath), "keys")
	}
	logger := newLogger("text", std.err)
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{Logger: logger, Writer: sqlite.WriterOptions{Logger: logger}})
	if err != nil {
		return err
	}
	defer db.Close()
	youthKeys, err := keystore.Open(ctx, keys, keystore.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open the youth key store: %w", err)
	}
	defer youthKeys.Close()
	ret := signal.NewRetention(db.Privacy(), youthKeys, youthKeys, signal.RetentionOptions{Period: p, Logger: logger})
	run, err := ret.Run(ctx, dryRun)
	if err != nil {
		return err
	}
	verb := "erased"
	if dryRun {
		verb = "would erase"
	}
	fmt.Fprintf(std.out, "retention %s: %d signals checked, %s %d", p, run.Checked, verb, len(run.Expired))
	if !dryRun {
		fmt.Fprintf(std.out, ", %d young people's keys deleted", run.KeysErased)
	}
	fmt.Fprintln(std.out)
	for _, e := range run.Expired {
		fmt.Fprintf(std.out, "  signal/%s  %s\n", e.SignalID, e.Reason)
	}
	return nil
}

// runRetention runs the retention job now and then every interval until
// ctx is done; it closes done when it has stopped. A failed run is logged
// and tried again at the next tick: erasure is idempotent.
//
// After each run it issues a signed audit checkpoint (checkpoint, if not
// nil), so the privacy officer can verify from a recent one and keep them.
func runRetention(ctx context.Context, ret *signal.Retention, every time.Duration, checkpoint func(context.Context) error, logger *slog.Logger, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		run, err := ret.Run(ctx, false)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Error("retention run failed", slog.Any("err", err))
		case len(run.Expired) > 0:
			logger.Info("retention run", slog.Int("checked", run.Checked), slog.Int("erased", len(run.Expired)), slog.Int("keys_erased", run.KeysErased))
		}
		if checkpoint != nil && ctx.Err() == nil {
			if err := checkpoint(ctx); err != nil {
				logger.Error("audit checkpoint failed", slog.Any("err", err))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// policyFS is the file system the policy is loaded from: the embedded one,
// or a directory of .rego files.
func policyFS(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	return rego.FS
}

// recordPolicy stores the loaded policy's files under its version and
// audits policy.load, so the console can say which policy was in force
// when and show what changed.
func recordPolicy(ctx context.Context, privacy *signal.Privacy, dir, version string) error {
	files, err := signal.ReadPolicyFiles(policyFS(dir))
	if err != nil {
		return err
	}
	return privacy.RecordPolicyLoad(ctx, signal.Actor{UserID: "signald", Role: signal.RoleSystem}, version, files)
}
